using System.Diagnostics;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.Health;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Runtime;
using Ballast.Ingress.Transforms;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace Ballast.Ingress.Forwarding;

/// <summary>
/// Forwards one request to a chosen endpoint with what health adds around YARP's forwarder: each attempt's
/// outcome goes to passive health; the endpoint's drain-abort token rides along (so a drain deadline ends
/// WebSockets and streams); and on routes with retries, failed attempts are sent again to a different endpoint
/// with the per-try timeout, never replaying a body already sent: within the attempts and the retry budget when
/// they had reached a backend, to every other endpoint once when they had not (<see cref="RetryDecision"/>).
/// Without retries the path is the plain forward plus one classification; nothing is allocated for health. With
/// the default policy (connect failures and resets) a request without a body takes that same plain path and
/// builds its retry state only after a failed attempt.
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

    public Task ForwardAsync(HttpContext context, RouteRuntime route, RouteShare share, EndpointState endpoint, PickContext pick) =>
        route.Retry is { } retry
            ? ForwardWithRetriesAsync(context, route, retry, share, endpoint, pick)
            : ForwardOnceAsync(context, route, share, endpoint).AsTask();

    /// <summary>One plain attempt (no retry state): forwards, counts, reports to passive health.</summary>
    private async ValueTask<(ForwarderError Error, AttemptOutcome Outcome)> ForwardOnceAsync(HttpContext context, RouteRuntime route, RouteShare share, EndpointState endpoint)
    {
        var pool = share.Pool!;
        endpoint.OnRequestStarted();
        _inFlight.Inc();
        var started = Stopwatch.GetTimestamp();
        var error = ForwarderError.None;
        var outcome = AttemptOutcome.Cancelled;
        try
        {
            error = await _forwarder.SendAsync(context, endpoint.DestinationPrefix, share.Invoker!, share.RequestConfig, share.Transformer, endpoint.Health.DrainAbortToken);
        }
        finally
        {
            Finish(context, route, pool, endpoint, started);
            outcome = ForwarderOutcomes.Classify(error, context, perTryTimedOut: false);
            pool.Health.Report(endpoint, outcome);
        }

        return (error, outcome);
    }

    private async Task ForwardWithRetriesAsync(HttpContext context, RouteRuntime route, RouteRetry retry, RouteShare share, EndpointState endpoint, PickContext pick)
    {
        retry.Budget.RecordRequest();
        var canHaveBody = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? true;
        // retries.totalTimeout counts from here. A timestamp, kept across the first attempt in this method's async
        // frame in place of the pool (read from the share again below), so the frame stays the size it was.
        var firstAttemptStarted = retry.Time.GetTimestamp();
        if (!retry.PlainFirstAttempt || (canHaveBody && retry.MayRetryAfterSending(context.Request.Method)))
        {
            await RetryLoopAsync(context, route, retry, share, endpoint, pick, canHaveBody, firstAttemptStarted, planned: null);
            return;
        }

        // No response to screen, no per-try timer, and a body (if any) that could only be retried after a connect
        // failure, which reads none of it (the default policy on a GET or a POST): the first attempt is a plain
        // forward, and the retry state exists only once it failed.
        var (error, outcome) = await ForwardOnceAsync(context, route, share, endpoint);
        if (error == ForwarderError.None || (canHaveBody && outcome.Kind != AttemptOutcomeKind.ConnectFailure))
        {
            return;
        }

        var attempt = new RetryAttempt(context, retry, share.Pool!, pick, endpoint, body: null, firstAttemptStarted);
        if (!attempt.TryPlan(outcome))
        {
            attempt.ReleaseSlots();
            return;
        }

        await RetryLoopAsync(context, route, retry, share, endpoint, pick, canHaveBody, firstAttemptStarted, attempt);
    }

    /// <param name="planned">A retry already planned after a plain first attempt (its <see cref="RetryAttempt.Next"/> is sent first); null: start with <paramref name="endpoint"/>.</param>
    private async Task RetryLoopAsync(HttpContext context, RouteRuntime route, RouteRetry retry, RouteShare share, EndpointState endpoint, PickContext pick, bool canHaveBody, long firstAttemptStarted,
        RetryAttempt? planned)
    {
        var pool = share.Pool!;
        RequestBodyGuard? body = null;
        if (canHaveBody)
        {
            body = new RequestBodyGuard(context.Request.Body);
            context.Request.Body = body;
        }

        var attempt = planned ?? new RetryAttempt(context, retry, pool, pick, endpoint, body, firstAttemptStarted);
        attempt.Body = body;
        context.Features.Set<IRetriableResponse>(attempt);
        var perTry = retry.Policy.PerTryTimeout;
        try
        {
            if (planned is not null)
            {
                endpoint = NextAttempt(context, retry, attempt);
            }

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
                        timeout = CancellationTokenSource.CreateLinkedTokenSource(endpoint.Health.DrainAbortToken);
                        timeout.CancelAfter(t);
                    }

                    error = await _forwarder.SendAsync(context, endpoint.DestinationPrefix, share.Invoker!, share.RequestConfig, share.RetryTransformer,
                        timeout?.Token ?? endpoint.Health.DrainAbortToken);
                    perTryTimedOut = timeout is not null && timeout.IsCancellationRequested && !endpoint.Health.DrainAbortToken.IsCancellationRequested;
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
                var retrying = attempt.SuppressedStatus != 0 || (error != ForwarderError.None && attempt.TryPlan(outcome));
                if (!retrying || attempt.Next is null)
                {
                    return;
                }

                endpoint = NextAttempt(context, retry, attempt);
            }
        }
        finally
        {
            attempt.ReleaseSlots();
            context.Features.Set<IRetriableResponse>(null);
            if (body is not null)
            {
                context.Request.Body = body.Inner;
            }
        }
    }

    /// <summary>Nothing reached the client: the planned retry starts from a clean response.</summary>
    private static EndpointState NextAttempt(HttpContext context, RouteRetry retry, RetryAttempt attempt)
    {
        context.Response.Clear();
        context.Features.Set<IForwarderErrorFeature>(null);
        attempt.Retries++;
        (attempt.NextIsReplay ? retry.Replays : retry.Retries)?.Inc();
        AccessLog.AccessLogEntry.Retried(context, attempt.Next!);
        Tracing.RequestTracing.Retried(attempt.Next!, attempt.Retries);
        return attempt.Next!;
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
