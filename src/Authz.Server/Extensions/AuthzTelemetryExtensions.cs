using Authz.Grains.Decisions;
using Authz.Server.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Authz.Server.Extensions;

/// <summary>
/// Metrics of the check path (checks by decision and tenant, latency, cache hits and misses, invalidations) through
/// System.Diagnostics.Metrics and OpenTelemetry, exported for Prometheus on <c>Authz:Server:MetricsPort</c>; traces of
/// the check path, exported over OTLP, when <c>Authz:Server:Tracing</c> is on.
/// </summary>
public static class AuthzTelemetryExtensions
{
    /// <summary>Adds the OpenTelemetry metrics (and, when enabled, tracing) pipeline.</summary>
    public static WebApplicationBuilder AddAuthzTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var tracing = builder.Configuration.GetValue<bool>($"{AuthzServerOptions.SectionName}:{nameof(AuthzServerOptions.Tracing)}");
        var telemetry = builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddMeter(DecisionCache.Meter.Name)
                .AddMeter(Authz.Server.Limits.TenantRateLimiter.Meter.Name)
                .AddPrometheusExporter());
        if (tracing)
        {
            // Exported over OTLP; the endpoint comes from the standard OTEL_EXPORTER_OTLP_ENDPOINT variable.
            telemetry.WithTracing(traces => traces.AddSource(DecisionService.ActivitySource.Name).AddOtlpExporter());
        }

        return builder;
    }

    /// <summary>Serves <c>GET /metrics</c> on the metrics port only (never on the gRPC port).</summary>
    public static WebApplication UseAuthzMetricsEndpoint(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var grpcPort = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuthzServerOptions>>().Value.GrpcPort;
        app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
            context.Request.Path == "/metrics" && context.Request.Protocol == "HTTP/1.1" && context.Connection.LocalPort != grpcPort);
        return app;
    }
}
