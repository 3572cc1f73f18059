using System.Diagnostics;
using Ballast.Ingress.Runtime;
using Ballast.Ingress.LoadBalancing;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;
using Ballast.Ingress.Health;

namespace Ballast.Ingress.Forwarding;

/// <summary>
/// Forwards one request to a chosen endpoint with what health adds around YARP's forwarder: each attempt's
/// outcome goes to passive health; the endpoint's drain-abort token rides along (so a drain deadline ends
/// WebSockets and streams); and on routes with retries, failed attempts are retried to a different endpoint
/// with the per-try timeout, within the attempts and the retry budget, never replaying a body already sent.
/// Without retries the path is the plain forward plus one classification; nothing is allocated for health.
/// </summary>
public sealed class HealthAwareForwarder
{
    private readonly IHttpForwarder _forwarder;
    private readonly Prometheus.Gauge _inFlight;

    public HealthAwareForwarder(IHttpForwarder forwarder, Prometheus.Gauge inFlight)
    {
        _forwarder = forwarder;
        _inFlight = inFlight;
    }

    public Task ForwardAsync(HttpContext context, RouteRuntime route, PoolRuntime pool, ForwarderRequestConfig requestConfig, EndpointState endpoint, PickContext pick) =>
        route.Retry is { } retry
            ? ForwardWithRetriesAsync(context, route, retry, pool, requestConfig, endpoint, pick)
            : ForwardOnceAsync(context, route, pool, requestConfig, endpoint);

    private async Task ForwardOnceAsync(HttpContext context, RouteRuntime route, PoolRuntime pool, ForwarderRequestConfig requestConfig, EndpointState endpoint)
    {
        endpoint.OnRequestStarted();
        _inFlight.Inc();
        var started = Stopwatch.GetTimestamp();
        var error = ForwarderError.None;
        try
        {
            error = await _forwarder.SendAsync(context, endpoint.DestinationPrefix, pool.Invoker, requestConfig, route.Transformer, endpoint.DrainAbortToken);
        }
        finally
        {
            Finish(context, route, pool, endpoint, started);
            pool.Health.Report(endpoint, ForwarderOutcomes.Classify(error, context, perTryTimedOut: false));
        }
    }

    private async Task ForwardWithRetriesAsync(HttpContext context, RouteRuntime route, RouteRetry retry, PoolRuntime pool, ForwarderRequestConfig requestConfig, EndpointState endpoint, PickContext pick)
    {
        retry.Budget.RecordRequest();
        RequestBodyGuard? body = null;
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? true)
        {
            body = new RequestBodyGuard(context.Request.Body);
            context.Request.Body = body;
        }

        var attempt = new RetryAttempt(context, retry, pool, pick, endpoint, body);
        context.Features.Set(attempt);
        var perTry = retry.Policy.PerTryTimeout;
        try
        {
            while (true)
            {
                attempt.Current = endpoint;
                attempt.Next = null;
                attempt.SuppressedStatus = 0;
                // A retry holds a slot of the pool's maxRetries until it ends.
                attempt.StartAttempt();
                endpoint.OnRequestStarted();
                _inFlight.Inc();
                var started = Stopwatch.GetTimestamp();
                var error = ForwarderError.None;
                var perTryTimedOut = false;
                CancellationTokenSource? timeout = null;
                try
                {
                    if (perTry is { } t && t > TimeSpan.Zero)
                    {
                        timeout = CancellationTokenSource.CreateLinkedTokenSource(endpoint.DrainAbortToken);
                        timeout.CancelAfter(t);
                    }

                    error = await _forwarder.SendAsync(context, endpoint.DestinationPrefix, pool.Invoker, requestConfig, retry.Transformer,
                        timeout?.Token ?? endpoint.DrainAbortToken);
                    perTryTimedOut = timeout is not null && timeout.IsCancellationRequested && !endpoint.DrainAbortToken.IsCancellationRequested;
                }
                finally
                {
                    timeout?.Dispose();
                    attempt.EndAttempt();
                    if (attempt.SuppressedStatus == 0)
                    {
                        Finish(context, route, pool, endpoint, started);
                    }
                    else
                    {
                        FinishSuppressed(route, pool, endpoint, started, attempt.SuppressedStatus);
                    }
                }

                var outcome = attempt.SuppressedStatus != 0
                    ? AttemptOutcome.Response(attempt.SuppressedStatus)
                    : ForwarderOutcomes.Classify(error, context, perTryTimedOut);
                pool.Health.Report(endpoint, outcome);

                // A suppressed status was planned by the transformer; an error is planned here.
                var planned = attempt.SuppressedStatus != 0 || (error != ForwarderError.None && attempt.TryPlan(outcome));
                if (!planned || attempt.Next is not { } next)
                {
                    return;
                }

                // Nothing reached the client: start the next attempt from a clean response.
                context.Response.Clear();
                context.Features.Set<IForwarderErrorFeature>(null);
                attempt.Retries++;
                retry.Retries?.Inc();
                endpoint = next;
            }
        }
        finally
        {
            attempt.ReleaseSlots();
            context.Features.Set<RetryAttempt>(null);
            if (body is not null)
            {
                context.Request.Body = body.Inner;
            }
        }
    }

    private void Finish(HttpContext context, RouteRuntime route, PoolRuntime pool, EndpointState endpoint, long started)
    {
        var elapsed = Stopwatch.GetElapsedTime(started);
        // Counted before the in-flight slot is released: a draining endpoint's drain (and its series) cannot
        // end between the two, so its last request is in its series.
        route.Metrics.Duration.Observe(elapsed.TotalSeconds);
        route.Metrics.CountRequest(pool.Id, endpoint, context.Response.StatusCode);
        endpoint.OnRequestFinished(elapsed);
        _inFlight.Dec();
    }

    private void FinishSuppressed(RouteRuntime route, PoolRuntime pool, EndpointState endpoint, long started, int status)
    {
        var elapsed = Stopwatch.GetElapsedTime(started);
        route.Metrics.CountRequest(pool.Id, endpoint, status); // before the slot is released, as in Finish
        endpoint.OnRequestFinished(elapsed);
        _inFlight.Dec();
    }
}
