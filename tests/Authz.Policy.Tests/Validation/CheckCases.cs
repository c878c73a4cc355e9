using Authz.Policy.Model;
using static Authz.Policy.Tests.Validation.Policies;

namespace Authz.Policy.Tests.Validation;

/// <summary>
/// Positive and negative cases for every validation check: (rule id, whether the rule must report, policy type, JSON).
/// A negative case asserts the rule stays silent, so each row pins one side of a check's boundary.
/// </summary>
public static class CheckCases
{
    private const PolicyType I = PolicyType.Identity;
    private const PolicyType R = PolicyType.Resource;
    private const PolicyType T = PolicyType.Trust;

    public static TheoryData<string, bool, PolicyType, string> All { get; } = Build();

    private static TheoryData<string, bool, PolicyType, string> Build()
    {
        var d = new TheoryData<string, bool, PolicyType, string>();
        void Yes(string code, string json, PolicyType type = I) => d.Add(code, true, type, json);
        void No(string code, string json, PolicyType type = I) => d.Add(code, false, type, json);

        // AUTHZ2001 missing Version
        Yes("AUTHZ2001", NoVersion(Stmt()));
        No("AUTHZ2001", Doc(Stmt()));
        No("AUTHZ2001", Legacy(Stmt()));

        // AUTHZ2002 variable in a 2008-10-17 document
        Yes("AUTHZ2002", Legacy(Stmt(resource: "'arn:aws:s3:::bucket/${aws:username}/*'")));
        Yes("AUTHZ2002", NoVersion(Cond("'StringEquals':{'aws:PrincipalTag/team':'${aws:username}'}")));
        No("AUTHZ2002", Doc(Stmt(resource: "'arn:aws:s3:::bucket/${aws:username}/*'")));
        No("AUTHZ2002", Legacy(Stmt()));

        // AUTHZ2003 duplicate Sid
        Yes("AUTHZ2003", Doc(Stmt(extra: "'Sid':'A'"), Stmt(action: "'s3:PutObject'", extra: "'Sid':'A'")));
        No("AUTHZ2003", Doc(Stmt(extra: "'Sid':'A'"), Stmt(action: "'s3:PutObject'", extra: "'Sid':'B'")));

        // AUTHZ2004 Sid characters IAM rejects
        Yes("AUTHZ2004", Doc(Stmt(extra: "'Sid':'Read-Only'")));
        Yes("AUTHZ2004", Doc("{'Sid':'Trust me','Effect':'Allow','Principal':{'AWS':'arn:aws:iam::111122223333:root'},'Action':'sts:AssumeRole'}"), T);
        No("AUTHZ2004", Doc(Stmt(extra: "'Sid':'ReadOnly1'")));
        No("AUTHZ2004", Doc(Res("'Principal':{'AWS':'111122223333'}", extra: "'Sid':'Read only'")), R);

        // AUTHZ2005 empty Sid
        Yes("AUTHZ2005", Doc(Stmt(extra: "'Sid':''")));
        No("AUTHZ2005", Doc(Stmt(extra: "'Sid':'S1'")));

        // AUTHZ2010 Allow with NotAction
        Yes("AUTHZ2010", Doc("{'Effect':'Allow','NotAction':'iam:*','Resource':'*'}"));
        No("AUTHZ2010", Doc("{'Effect':'Deny','NotAction':'iam:*','Resource':'*'}"));
        No("AUTHZ2010", Doc(Stmt()));

        // AUTHZ2011 action that matches nothing
        foreach (var bad in new[] { "GetObject", ":Get*", "s3:", "s3:Get:Object", "s 3:GetObject", "s3:Get Object", "s3:Get/Object" })
            Yes("AUTHZ2011", Doc(Stmt(action: $"'{bad}'")));
        foreach (var good in new[] { "s3:GetObject", "*", "s3:*", "*Object", "execute-api:Invoke", "S3:getobject", "s3:Get?bject" })
            No("AUTHZ2011", Doc(Stmt(action: $"'{good}'")));

        // AUTHZ2012 partial wildcard in a service name
        Yes("AUTHZ2012", Doc(Stmt(action: "'s3*:GetObject'")));
        Yes("AUTHZ2012", Doc(Stmt(resource: "'arn:aws:*code*:us-east-1:111122223333:*'")));
        No("AUTHZ2012", Doc(Stmt(action: "'*:Describe*'")));
        No("AUTHZ2012", Doc(Stmt(action: "'s3:Get*'", resource: "'arn:aws:*:*:111122223333:*'")));

        // AUTHZ2013 redundant action
        Yes("AUTHZ2013", Doc(Stmt(action: "['iam:Get*','iam:GetCredentialReport']")));
        Yes("AUTHZ2013", Doc(Stmt(action: "['s3:GetObject','S3:getObject']")));
        Yes("AUTHZ2013", Doc("{'Effect':'Deny','NotAction':['iam:*','iam:PassRole'],'Resource':'*'}"));
        No("AUTHZ2013", Doc(Stmt(action: "['iam:Get*','iam:List*']")));
        No("AUTHZ2013", Doc(Stmt(action: "['iam:*CredentialReport','iam:Get*']")));
        No("AUTHZ2013", Doc(Stmt(action: "['s3:Get?bject','s3:Get*Object']")));

        // AUTHZ2014 iam:PassRole on every role
        Yes("AUTHZ2014", Doc(Stmt(action: "'iam:PassRole'", resource: "'*'")));
        Yes("AUTHZ2014", Doc(Stmt(action: "'iam:*'", resource: "'*'")));
        Yes("AUTHZ2014", Doc(Stmt(action: "'iam:Pass*'", resource: "'*'")));
        Yes("AUTHZ2014", Doc(Stmt(action: "'*'", resource: "'*'")));
        Yes("AUTHZ2014", Doc(Stmt(action: "'iam:PassRole'", resource: "'arn:aws:iam::111122223333:role/*'")));
        Yes("AUTHZ2014", Doc("{'Effect':'Allow','Action':'iam:PassRole','NotResource':'arn:aws:iam::111122223333:role/Admin'}"));
        Yes("AUTHZ2014", Doc("{'Effect':'Allow','NotAction':'s3:*','Resource':'*'}"));
        No("AUTHZ2014", Doc(Stmt(action: "'iam:PassRole'", resource: "'arn:aws:iam::111122223333:role/TrainingJobRole'")));
        No("AUTHZ2014", Doc(Stmt(action: "'iam:PassRole'", resource: "'*'", extra: "'Condition':{'StringEquals':{'iam:PassedToService':'sagemaker.amazonaws.com'}}")));
        No("AUTHZ2014", Doc(Stmt(effect: "Deny", action: "'iam:PassRole'", resource: "'*'")));
        No("AUTHZ2014", Doc(Stmt(action: "'iam:GetRole'", resource: "'*'")));
        No("AUTHZ2014", Doc("{'Effect':'Allow','NotAction':'iam:PassRole','Resource':'*'}"));
        No("AUTHZ2014", Doc(Stmt(action: "'*'", resource: "'*'")), PolicyType.Guardrail);

        // AUTHZ2015 policy variable outside Resource and Condition
        Yes("AUTHZ2015", Doc(Stmt(action: "'s3:${aws:username}'")));
        Yes("AUTHZ2015", Doc(Res("'Principal':{'AWS':'arn:aws:iam::111122223333:user/${aws:username}'}")), R);
        No("AUTHZ2015", Doc(Stmt(resource: "'arn:aws:s3:::bucket/${aws:username}'")));

        // AUTHZ2020 Allow with NotResource
        Yes("AUTHZ2020", Doc("{'Effect':'Allow','Action':'s3:GetObject','NotResource':'arn:aws:s3:::secret/*'}"));
        No("AUTHZ2020", Doc("{'Effect':'Deny','Action':'s3:GetObject','NotResource':'arn:aws:s3:::open/*'}"));
        No("AUTHZ2020", Doc(Stmt()));

        // AUTHZ2021 malformed ARN (Resource, ARN condition, Principal)
        foreach (var bad in new[] { "bucket/*", "arn:aws:s3", "arn::s3:::bucket", "arn:aws::::x", "arn:aws:S3:::bucket", "arn:aws:s3:::" })
            Yes("AUTHZ2021", Doc(Stmt(resource: $"'{bad}'")));
        Yes("AUTHZ2021", Doc(Cond("'ArnLike':{'aws:SourceArn':'arn:aws:sns'}")));
        Yes("AUTHZ2021", Doc(Res("'Principal':{'AWS':'alice'}")), R);
        Yes("AUTHZ2021", Doc(Res("'Principal':{'AWS':'arn:aws:s3:::bucket'}")), R);
        foreach (var good in new[] { "*", "arn:aws:s3:::bucket/*", "arn:aws:iam::111122223333:role/x", "arn:*:s3:::bucket", "arn:aws:s3:::${aws:username}" })
            No("AUTHZ2021", Doc(Stmt(resource: $"'{good}'")));
        No("AUTHZ2021", Doc(Cond("'ArnLike':{'aws:SourceArn':['arn:aws:sns:*:111122223333:topic','${aws:PrincipalArn}']}")));
        No("AUTHZ2021", Doc(Res("'Principal':{'AWS':['111122223333','arn:aws:iam::111122223333:root','arn:aws:sts::111122223333:assumed-role/R/s']}")), R);
        No("AUTHZ2021", Doc(Res("'Principal':{'Federated':['cognito-identity.amazonaws.com','arn:aws:iam::111122223333:saml-provider/idp']}")), R);

        // AUTHZ2022 account that is not a 12-digit id
        Yes("AUTHZ2022", Doc(Stmt(resource: "'arn:aws:iam::12345:role/x'")));
        Yes("AUTHZ2022", Doc(Res("'Principal':{'AWS':'arn:aws:iam::1234567890123:root'}")), R);
        Yes("AUTHZ2022", Doc(Cond("'ArnEquals':{'aws:SourceArn':'arn:aws:sns:us-east-1:acct:topic'}")));
        foreach (var good in new[] { "arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:s3:::bucket", "arn:aws:iam::*:role/x", "arn:aws:iam::${aws:PrincipalAccount}:role/x", "arn:aws:iam::111122223333:role/x" })
            No("AUTHZ2022", Doc(Stmt(resource: $"'{good}'")));

        // AUTHZ2023 variable before the resource field
        Yes("AUTHZ2023", Doc(Stmt(resource: "'arn:aws:iam::${aws:PrincipalAccount}:user/x'")));
        No("AUTHZ2023", Doc(Stmt(resource: "'arn:aws:s3:::bucket/${aws:username}/*'")));
        No("AUTHZ2023", Legacy(Stmt(resource: "'arn:aws:iam::${aws:PrincipalAccount}:user/x'")));
        No("AUTHZ2023", Doc(Stmt(resource: "'arn:aws:s3:::a${*}b'")));

        // AUTHZ2024 redundant resource
        Yes("AUTHZ2024", Doc(Stmt(resource: "['arn:aws:iam::111122223333:role/jane*','arn:aws:iam::111122223333:role/jane-admin']")));
        Yes("AUTHZ2024", Doc(Stmt(resource: "['arn:aws:s3:::bucket/*','arn:aws:s3:::bucket/${aws:username}']")));
        No("AUTHZ2024", Doc(Stmt(resource: "['arn:aws:s3:::a/*','arn:aws:s3:::b/*']")));
        No("AUTHZ2024", Doc(Stmt(resource: "['arn:aws:s3:::bucket/*','arn:aws:s3:::bucket']")));
        No("AUTHZ2024", Doc(Stmt(resource: "['arn:aws:iam::*:role/x','arn:aws:iam::111122223333:role/x:y']")));
        No("AUTHZ2024", Doc(Stmt(resource: "['arn:aws:s3:::home/${aws:username}/*','arn:aws:s3:::home/alice/*']")));

        // AUTHZ2030 everyone allowed without a limiting condition
        Yes("AUTHZ2030", Doc(Res("'Principal':'*'")), R);
        Yes("AUTHZ2030", Doc(Res("'Principal':{'AWS':'*'}")), R);
        Yes("AUTHZ2030", Doc("{'Effect':'Allow','Principal':{'AWS':'*'},'Action':'sts:AssumeRole'}"), T);
        Yes("AUTHZ2030", Doc(Res("'Principal':'*'", extra: "'Condition':{'StringEquals':{'aws:PrincipalTag/team':'ml'}}")), R);
        Yes("AUTHZ2030", Doc(Res("'Principal':'*'", extra: "'Condition':{'StringNotEquals':{'aws:PrincipalAccount':'444455556666'}}")), R);
        Yes("AUTHZ2030", Doc(Res("'Principal':'*'", extra: "'Condition':{'StringEqualsIfExists':{'aws:PrincipalOrgID':'o-abc'}}")), R);
        Yes("AUTHZ2030", Doc(Res("'Principal':'*'", extra: "'Condition':{'IpAddress':{'aws:SourceIp':'0.0.0.0/0'}}")), R);
        Yes("AUTHZ2030", Doc(Res("'Principal':'*'", extra: "'Condition':{'ArnLike':{'aws:PrincipalArn':'*'}}")), R);
        No("AUTHZ2030", Doc(Res("'Principal':'*'", extra: "'Condition':{'StringEquals':{'aws:PrincipalOrgID':'o-abc'}}")), R);
        No("AUTHZ2030", Doc(Res("'Principal':'*'", extra: "'Condition':{'ArnLike':{'aws:PrincipalArn':'arn:aws:iam::111122223333:role/*'}}")), R);
        No("AUTHZ2030", Doc(Res("'Principal':{'AWS':'arn:aws:iam::111122223333:root'}")), R);
        No("AUTHZ2030", Doc(Res("'Principal':'*'", effect: "Deny")), R);

        // AUTHZ2031 Allow with NotPrincipal
        Yes("AUTHZ2031", Doc(Res("'NotPrincipal':{'AWS':'arn:aws:iam::111122223333:user/bob'}")), R);
        No("AUTHZ2031", Doc(Res("'NotPrincipal':{'AWS':'arn:aws:iam::111122223333:user/bob'}", effect: "Deny")), R);

        // AUTHZ2032 Deny with NotPrincipal
        Yes("AUTHZ2032", Doc(Res("'NotPrincipal':{'AWS':'arn:aws:iam::111122223333:user/bob'}", effect: "Deny")), R);
        No("AUTHZ2032", Doc(Res("'Principal':{'AWS':'arn:aws:iam::111122223333:user/bob'}", effect: "Deny")), R);
        No("AUTHZ2032", Doc(Res("'NotPrincipal':{'AWS':'arn:aws:iam::111122223333:user/bob'}")), R);

        // AUTHZ2033 wildcard inside a principal
        foreach (var bad in new[] { "{'AWS':'arn:aws:iam::111122223333:user/*'}", "{'AWS':'arn:aws:iam::*:root'}", "{'AWS':'11112222333?'}", "{'Service':'*.amazonaws.com'}", "{'Federated':'*'}" })
            Yes("AUTHZ2033", Doc(Res($"'Principal':{bad}", effect: "Deny")), R);
        foreach (var good in new[] { "'*'", "{'AWS':'*'}", "{'AWS':'arn:aws:iam::111122223333:root'}", "{'Service':'sagemaker.amazonaws.com'}" })
            No("AUTHZ2033", Doc(Res($"'Principal':{good}", effect: "Deny")), R);

        // AUTHZ2034 principal named by unique id
        Yes("AUTHZ2034", Doc(Res("'Principal':{'AWS':'AROAEXAMPLEROLEID0001'}")), R);
        Yes("AUTHZ2034", Doc(Res("'Principal':{'AWS':['111122223333','AIDAEXAMPLEUSERID0001']}")), R);
        No("AUTHZ2034", Doc(Res("'Principal':{'AWS':'arn:aws:iam::111122223333:role/AROAEXAMPLEROLEID0001'}")), R);

        // AUTHZ2040 ForAllValues in an Allow
        Yes("AUTHZ2040", Doc(Cond("'ForAllValues:StringEquals':{'aws:TagKeys':['team','project']}")));
        Yes("AUTHZ2040", Doc(Cond("'ForAllValues:StringNotLike':{'aws:TagKeys':'secret*'}")));
        No("AUTHZ2040", Doc(Cond("'ForAllValues:StringEquals':{'aws:TagKeys':['team','project']}", effect: "Deny")));
        No("AUTHZ2040", Doc(Cond("'ForAllValues:StringEquals':{'aws:TagKeys':['team']},'Null':{'aws:TagKeys':'false'}")));
        No("AUTHZ2040", Doc(Cond("'ForAnyValue:StringEquals':{'aws:TagKeys':['team']}")));

        // AUTHZ2041 set qualifier on a single-valued key
        Yes("AUTHZ2041", Doc(Cond("'ForAnyValue:StringEquals':{'aws:username':'alice'}")));
        Yes("AUTHZ2041", Doc(Cond("'ForAllValues:IpAddress':{'aws:SourceIp':'203.0.113.0/24'}", effect: "Deny")));
        Yes("AUTHZ2041", Doc(Cond("'ForAnyValue:ArnLike':{'aws:PrincipalArn':'arn:aws:iam::111122223333:role/*'}")));
        Yes("AUTHZ2041", Doc(Cond("'ForAnyValue:StringEquals':{'aws:ResourceTag/team':'ml'}")));
        No("AUTHZ2041", Doc(Cond("'ForAnyValue:StringEquals':{'aws:TagKeys':'team'}")));
        No("AUTHZ2041", Doc(Cond("'StringEquals':{'aws:username':'alice'}")));
        No("AUTHZ2041", Doc(Cond("'ForAnyValue:StringEquals':{'sagemaker:InstanceTypes':'ml.t3.medium'}")));

        // AUTHZ2042 no set qualifier on a multivalued key
        Yes("AUTHZ2042", Doc(Cond("'StringEquals':{'aws:TagKeys':'team'}")));
        Yes("AUTHZ2042", Doc(Cond("'StringLike':{'aws:CalledVia':'*.amazonaws.com'}")));
        No("AUTHZ2042", Doc(Cond("'ForAnyValue:StringEquals':{'aws:TagKeys':'team'}")));
        No("AUTHZ2042", Doc(Cond("'Null':{'aws:TagKeys':'true'}")));
        No("AUTHZ2042", Doc(Cond("'StringEquals':{'aws:username':'alice'}")));

        // AUTHZ2043..AUTHZ2048 typed values that do not parse
        foreach (var bad in new[] { "'10.0.0.300/8'", "'10.0.0.0/33'", "'not-an-ip'", "10", "''" })
            Yes("AUTHZ2043", Doc(Cond($"'IpAddress':{{'aws:SourceIp':{bad}}}")));
        foreach (var good in new[] { "'10.0.0.0/8'", "'2001:db8::/32'", "'203.0.113.7'" })
            No("AUTHZ2043", Doc(Cond($"'NotIpAddress':{{'aws:SourceIp':{good}}}")));
        foreach (var bad in new[] { "'yesterday'", "'2024-13-01'", "true" })
            Yes("AUTHZ2044", Doc(Cond($"'DateGreaterThan':{{'aws:CurrentTime':{bad}}}")));
        foreach (var good in new[] { "'2024-01-31T12:00:00Z'", "'1700000000'", "'2024-01-31'", "1700000000" })
            No("AUTHZ2044", Doc(Cond($"'DateLessThan':{{'aws:CurrentTime':{good}}}")));
        foreach (var bad in new[] { "'ten'", "true", "'1,000'" })
            Yes("AUTHZ2045", Doc(Cond($"'NumericLessThan':{{'aws:MultiFactorAuthAge':{bad}}}")));
        foreach (var good in new[] { "'3600'", "'1.5'", "3600", "'-2'" })
            No("AUTHZ2045", Doc(Cond($"'NumericLessThan':{{'aws:MultiFactorAuthAge':{good}}}")));
        foreach (var bad in new[] { "'yes'", "1" })
            Yes("AUTHZ2046", Doc(Cond($"'Bool':{{'aws:SecureTransport':{bad}}}")));
        foreach (var good in new[] { "'true'", "false", "'TRUE'" })
            No("AUTHZ2046", Doc(Cond($"'Bool':{{'aws:SecureTransport':{good}}}")));
        Yes("AUTHZ2047", Doc(Cond("'Null':{'aws:SourceVpc':'maybe'}")));
        No("AUTHZ2047", Doc(Cond("'Null':{'aws:SourceVpc':['true']}")));
        Yes("AUTHZ2048", Doc(Cond("'BinaryEquals':{'s3:x-amz-key':'not base64!'}")));
        No("AUTHZ2048", Doc(Cond("'BinaryEquals':{'s3:x-amz-key':'QmluYXJ5VmFsdWU='}")));

        // AUTHZ2049 policy variable in a non-string operator
        Yes("AUTHZ2049", Doc(Cond("'NumericLessThan':{'aws:MultiFactorAuthAge':'${aws:EpochTime}'}")));
        Yes("AUTHZ2049", Doc(Cond("'DateLessThan':{'aws:CurrentTime':'${aws:TokenIssueTime}'}")));
        No("AUTHZ2049", Doc(Cond("'StringEquals':{'aws:ResourceTag/owner':'${aws:username}'}")));
        No("AUTHZ2049", Doc(Cond("'NumericLessThan':{'aws:MultiFactorAuthAge':'3600'}")));

        // AUTHZ2050 StringLike without a wildcard
        Yes("AUTHZ2050", Doc(Cond("'StringLike':{'aws:username':'alice'}")));
        Yes("AUTHZ2050", Doc(Cond("'ForAnyValue:StringNotLike':{'aws:TagKeys':['a','b']}")));
        Yes("AUTHZ2050", Doc(Cond("'StringLike':{'aws:username':'a${*}b'}")));
        No("AUTHZ2050", Doc(Cond("'StringLike':{'aws:username':['alice','bob*']}")));
        No("AUTHZ2050", Legacy(Cond("'StringLike':{'aws:username':'a${*}b'}")));

        // AUTHZ2051 wildcard in a StringEquals value
        Yes("AUTHZ2051", Doc(Cond("'StringEquals':{'aws:PrincipalTag/job':'admin-*'}")));
        Yes("AUTHZ2051", Doc(Cond("'StringNotEqualsIgnoreCase':{'aws:PrincipalTag/job':'a?'}")));
        No("AUTHZ2051", Doc(Cond("'StringLike':{'aws:PrincipalTag/job':'admin-*'}")));
        No("AUTHZ2051", Doc(Cond("'StringEquals':{'aws:PrincipalTag/job':'admin'}")));
        No("AUTHZ2051", Doc(Cond("'StringEquals':{'aws:PrincipalTag/job':'admin-${*}'}")));

        // AUTHZ2052 operator type that does not fit the key
        Yes("AUTHZ2052", Doc(Cond("'DateGreaterThan':{'aws:username':'2024-01-01'}")));
        Yes("AUTHZ2052", Doc(Cond("'DateGreaterThan':{'aws:ResourceTag/expires':'2024-01-01'}")));
        Yes("AUTHZ2052", Doc(Cond("'NumericEquals':{'aws:SourceIp':'1'}")));
        Yes("AUTHZ2052", Doc(Cond("'ArnEquals':{'aws:username':'arn:aws:iam::111122223333:user/a'}")));
        Yes("AUTHZ2052", Doc(Cond("'StringEquals':{'aws:SecureTransport':'true'}")));
        foreach (var good in new[] { "'DateGreaterThan':{'aws:CurrentTime':'2024-01-01'}", "'NumericLessThan':{'aws:EpochTime':'1700000000'}",
                     "'DateLessThan':{'aws:EpochTime':'1700000000'}", "'StringLike':{'aws:PrincipalArn':'arn:*'}", "'ArnLike':{'aws:PrincipalArn':'arn:*:iam::*:*'}",
                     "'Null':{'aws:username':'true'}", "'DateLessThan':{'sagemaker:ExpiresAt':'2024-01-01'}" })
            No("AUTHZ2052", Doc(Cond(good)));

        // AUTHZ2053 unknown global condition key
        Yes("AUTHZ2053", Doc(Cond("'StringEquals':{'aws:Foo':'x'}")));
        Yes("AUTHZ2053", Doc(Cond("'StringEquals':{'aws:ResourceTag':'x'}")));
        Yes("AUTHZ2053", Doc(Cond("'IpAddress':{'aws:SourceIP4':'203.0.113.0/24'}")));
        No("AUTHZ2053", Doc(Cond("'IpAddress':{'AWS:SOURCEIP':'203.0.113.0/24'}")));
        No("AUTHZ2053", Doc(Cond("'StringEquals':{'aws:ResourceTag/team':'ml'}")));
        No("AUTHZ2053", Doc(Cond("'StringLike':{'s3:prefix':'home/*'}")));

        // AUTHZ2054 key or operator repeated with different case
        Yes("AUTHZ2054", Doc(Cond("'StringEquals':{'aws:username':'a','aws:UserName':'b'}")));
        Yes("AUTHZ2054", Doc(Cond("'StringEquals':{'aws:username':'a'},'stringequals':{'aws:userid':'b'}")));
        No("AUTHZ2054", Doc(Cond("'StringEquals':{'aws:username':'a','aws:userid':'b'},'StringLike':{'aws:username':'a*'}")));

        // AUTHZ2055 CIDR with host bits set
        Yes("AUTHZ2055", Doc(Cond("'IpAddress':{'aws:SourceIp':'203.0.113.7/24'}")));
        Yes("AUTHZ2055", Doc(Cond("'IpAddress':{'aws:SourceIp':'2001:db8::1/32'}")));
        foreach (var good in new[] { "'203.0.113.0/24'", "'203.0.113.7'", "'203.0.113.7/32'", "'2001:db8::/32'" })
            No("AUTHZ2055", Doc(Cond($"'IpAddress':{{'aws:SourceIp':{good}}}")));

        // AUTHZ2056 Bool with both values
        Yes("AUTHZ2056", Doc(Cond("'Bool':{'aws:SecureTransport':['true','false']}")));
        No("AUTHZ2056", Doc(Cond("'Bool':{'aws:SecureTransport':['true','TRUE']}")));

        // AUTHZ2057 malformed policy variable
        foreach (var bad in new[] { "arn:aws:s3:::b/${aws:username", "arn:aws:s3:::b/${}", "arn:aws:s3:::b/${aws:user name}", "arn:aws:s3:::b/${aws:username, none}" })
            Yes("AUTHZ2057", Doc(Stmt(resource: $"'{bad}'")));
        Yes("AUTHZ2057", Doc(Cond("'StringEquals':{'aws:ResourceTag/owner':'${aws:username'}")));
        foreach (var good in new[] { "arn:aws:s3:::b/${aws:username}", "arn:aws:s3:::b/${aws:username, \\u0027none\\u0027}", "arn:aws:s3:::b/${$}" })
            No("AUTHZ2057", Doc(Stmt(resource: $"'{good}'")));
        No("AUTHZ2057", Legacy(Stmt(resource: "'arn:aws:s3:::b/${aws:username'")));

        // AUTHZ2060 duplicate statement
        Yes("AUTHZ2060", Doc(Stmt(action: "['s3:GetObject','s3:PutObject']", extra: "'Sid':'A'"), Stmt(action: "['s3:putobject','s3:GetObject']", extra: "'Sid':'B'")));
        Yes("AUTHZ2060", Doc(Res("'Principal':'*'", effect: "Deny"), Res("'Principal':{'AWS':'*'}", effect: "Deny")), R);
        No("AUTHZ2060", Doc(Stmt(), Stmt(resource: "'arn:aws:s3:::other/*'")));
        No("AUTHZ2060", Doc(Stmt(), Cond("'Bool':{'aws:SecureTransport':'true'}")));

        // AUTHZ2061 statement covered by another
        Yes("AUTHZ2061", Doc(Stmt(action: "'s3:*'", resource: "'*'"), Stmt()));
        Yes("AUTHZ2061", Doc(Stmt(), Stmt(action: "'s3:Get*'", resource: "'arn:aws:s3:::*'")));
        Yes("AUTHZ2061", Doc(Stmt(), Cond("'Bool':{'aws:SecureTransport':'true'}")));
        Yes("AUTHZ2061", Doc(Res("'Principal':'*'", effect: "Deny"), Res("'Principal':{'AWS':'arn:aws:iam::111122223333:user/bob'}", effect: "Deny")), R);
        Yes("AUTHZ2061", Doc("{'Effect':'Deny','NotAction':'s3:Get*','Resource':'*'}", "{'Effect':'Deny','NotAction':['s3:*'],'Resource':'*'}"));
        No("AUTHZ2061", Doc(Stmt(), Stmt(effect: "Deny")));
        No("AUTHZ2061", Doc(Stmt(), Stmt(action: "'s3:PutObject'")));
        No("AUTHZ2061", Doc(Res("'Principal':'*'"), Res("'Principal':{'AWS':'arn:aws:iam::111122223333:user/bob'}")), R);
        Yes("AUTHZ2061", Doc(Stmt(action: "'s3:GetObject'", resource: "'arn:aws:s3:::bucket/${aws:username}'"), Stmt()));
        No("AUTHZ2061", Doc(Stmt(resource: "'arn:aws:s3:::home/${aws:username}/*'"), Stmt(resource: "'arn:aws:s3:::home/alice/*'")));
        No("AUTHZ2061", Doc(Stmt(), Stmt()));

        // AUTHZ2062 statement that can never apply
        Yes("AUTHZ2062", Doc("{'Effect':'Deny','NotAction':'*','Resource':'*'}"));
        Yes("AUTHZ2062", Doc("{'Effect':'Deny','Action':'*','NotResource':['*']}"));
        Yes("AUTHZ2062", Doc(Res("'NotPrincipal':'*'", effect: "Deny")), R);
        Yes("AUTHZ2062", Doc(Cond("'Null':{'aws:SourceVpc':'true'},'StringEquals':{'aws:SourceVpc':'vpc-1'}", effect: "Deny")));
        No("AUTHZ2062", Doc(Stmt(effect: "Deny", action: "'*'", resource: "'*'")));
        No("AUTHZ2062", Doc(Cond("'Null':{'aws:SourceVpc':'true'},'StringNotEquals':{'aws:SourceVpc':'vpc-1'}", effect: "Deny")));
        No("AUTHZ2062", Doc(Cond("'Null':{'aws:SourceVpc':'false'},'StringEquals':{'aws:SourceVpc':'vpc-1'}", effect: "Deny")));
        No("AUTHZ2062", Doc(Cond("'Null':{'aws:SourceVpc':'true'},'StringEqualsIfExists':{'aws:SourceVpc':'vpc-1'}", effect: "Deny")));

        return d;
    }
}
