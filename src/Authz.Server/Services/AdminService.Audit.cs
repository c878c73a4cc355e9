using System.Globalization;
using Authz.Grains;
using Authz.Server.Mapping;
using Authz.Server.Security;
using Authz.V1;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Authz.Server.Services;

/// <summary>The audit log of admin changes.</summary>
public sealed partial class AdminService
{
    public override async Task<ListAuditEventsResponse> ListAuditEvents(ListAuditEventsRequest request, ServerCallContext context)
    {
        var start = request.StartTime?.ToDateTimeOffset() ?? DateTimeOffset.UnixEpoch;
        var end = request.EndTime?.ToDateTimeOffset() ?? DateTimeOffset.MaxValue.AddDays(-1);
        var scope = $"ListAuditEvents|{request.TenantId}|{start:O}|{end:O}";
        RequestChecks.Request().TenantId(request.TenantId).PageToken(request.PageToken, scope, out var after)
            .Add("end_time", end <= start ? "must be after `start_time`" : null).ThrowIfInvalid();
        await grains.GetTenant(request.TenantId).GetRevision(); // NotFound for a tenant that does not exist
        var afterId = 0UL;
        if (after is not null && !ulong.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out afterId))
        {
            AdminErrors.ThrowInvalid("page_token", "is not a token this call returned with these filters");
        }

        var size = PageToken.PageSize(request.MaxItems);
        var trail = context.GetHttpContext().RequestServices.GetRequiredService<StorageAuditTrail>();
        var events = await trail.ReadAsync(request.TenantId, afterId, size + 1, start, end, context.CancellationToken);
        var response = new ListAuditEventsResponse();
        response.Events.AddRange(events.Take(size));
        if (events.Count > size)
        {
            response.NextPageToken = PageToken.Encode(scope, events[size - 1].EventId.ToString(CultureInfo.InvariantCulture));
        }

        return response;
    }
}
