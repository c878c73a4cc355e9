using Authz.Cli.Commands.Admin;
using Authz.Client;
using Authz.V1;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace Authz.Cli.Tests.Admin;

/// <summary>The text forms of responses, decisions and errors, without a server.</summary>
public sealed class AdminPrinterTests
{
    [Fact]
    public void A_write_prints_the_entity_flattened_then_the_revision_without_the_document_sent()
    {
        var response = new CreateRoleResponse
        {
            Role = new Role
            {
                RoleName = "TrainingJobRole",
                Arn = "arn:aws:iam::111122223333:role/TrainingJobRole",
                AssumeRolePolicyDocument = """{"Version":"2012-10-17"}""",
                CreateDate = Timestamp.FromDateTime(new DateTime(2025, 6, 1, 9, 30, 0, DateTimeKind.Utc)),
                Tags = { new Tag { Key = "team", Value = "fraud" }, new Tag { Key = "tier", Value = "" } },
                PermissionsBoundary = new AttachedPermissionsBoundary { PermissionsBoundaryArn = "arn:aws:iam::111122223333:policy/Cap" },
            },
            Revision = 7,
        };
        Assert.Equal(
            """
            role_name: TrainingJobRole
            arn: arn:aws:iam::111122223333:role/TrainingJobRole
            create_date: 2025-06-01T09:30:00Z
            max_session_duration: 0
            tags: team=fraud, tier=
            permissions_boundary: arn:aws:iam::111122223333:policy/Cap
            revision: 7

            """.ReplaceLineEndings(), MessagePrinter.Text(response));
    }

    [Fact]
    public void A_read_prints_documents_as_indented_json_as_written()
    {
        var response = new GetResourcePolicyResponse
        {
            ResourceArn = "arn:aws:s3:::ml-data",
            PolicyDocument = """{"Statement":{"Resource":"arn:aws:s3:::ml-data/${aws:PrincipalTag/team}/*"}}""",
        };
        Assert.Equal(
            """
            resource_arn: arn:aws:s3:::ml-data
            policy_document:
              {
                "Statement": {
                  "Resource": "arn:aws:s3:::ml-data/${aws:PrincipalTag/team}/*"
                }
              }

            """.ReplaceLineEndings(), MessagePrinter.Text(response));
    }

    [Fact]
    public void A_decision_prints_its_statements_and_failed_conditions()
    {
        var response = new AuthorizeResponse
        {
            Decision = Decision.ImplicitDeny,
            Revision = 12,
            Reason = "no identity or resource policy statement allows the action",
            ConditionMismatches =
            {
                new ConditionMismatch
                {
                    Statement = new StatementReference { Policy = "arn:aws:iam::111122223333:policy/MlDataAccess", Version = "v1", StatementIndex = 0, Sid = "ReadTeamData", PolicyType = PolicyType.Identity },
                    FailedConditions = { new FailedCondition { Operator = "IpAddress", Key = "aws:SourceIp", Reason = "`203.0.113.7` is not in `10.20.0.0/16`" } },
                },
            },
        };
        Assert.Equal(
            """
            decision: IMPLICIT_DENY
            revision: 12
            reason: no identity or resource policy statement allows the action
            condition mismatches:
              - allow identity arn:aws:iam::111122223333:policy/MlDataAccess v1 statement[0] (ReadTeamData)
                  IpAddress aws:SourceIp: `203.0.113.7` is not in `10.20.0.0/16`

            """.ReplaceLineEndings(), CheckCommand.Text(response));
        // An inline policy is named by its owner.
        Assert.Equal("identity own on arn:aws:iam::111122223333:user/a statement[2]",
            CheckCommand.Statement(new StatementReference { Policy = "own", AttachedTo = "arn:aws:iam::111122223333:user/a", StatementIndex = 2, PolicyType = PolicyType.Identity }));
    }

    [Fact]
    public void Errors_print_every_field_violation_and_leave_out_details_that_repeat_the_message()
    {
        var status = new Google.Rpc.Status
        {
            Code = (int)StatusCode.InvalidArgument,
            Message = "the request has 2 invalid fields",
            Details =
            {
                Any.Pack(new BadRequest
                {
                    FieldViolations =
                    {
                        new BadRequest.Types.FieldViolation { Field = "user_name", Description = "must not be empty" },
                        new BadRequest.Types.FieldViolation { Field = "policy_document", Description = "statement[1].Effect: invalid effect `Alow` (line 9, column 7)" },
                    },
                }),
            },
        };
        Assert.Equal(
            """
            error: INVALID_ARGUMENT: the request has 2 invalid fields
              user_name: must not be empty
              policy_document: statement[1].Effect: invalid effect `Alow` (line 9, column 7)

            """.ReplaceLineEndings(), RpcErrorPrinter.Format(status.ToRpcException(), AuthzTarget.Parse("127.0.0.1:50051")));

        var single = new Google.Rpc.Status
        {
            Code = (int)StatusCode.InvalidArgument,
            Message = "user_name: must not be empty",
            Details = { Any.Pack(new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = "user_name", Description = "must not be empty" } } }) },
        };
        Assert.Equal("error: INVALID_ARGUMENT: user_name: must not be empty" + Environment.NewLine,
            RpcErrorPrinter.Format(single.ToRpcException(), AuthzTarget.Parse("127.0.0.1:50051")));
    }

    [Theory]
    [InlineData(StatusCode.NotFound, "NOT_FOUND")]
    [InlineData(StatusCode.FailedPrecondition, "FAILED_PRECONDITION")]
    [InlineData(StatusCode.OK, "OK")]
    public void Status_codes_are_spelled_as_in_the_contract(StatusCode code, string name) =>
        Assert.Equal(name, RpcErrorPrinter.CodeName(code));
}
