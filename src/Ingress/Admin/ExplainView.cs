using System.Globalization;
using System.Text.Json;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.Health;
using Ballast.Ingress.Runtime;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Admin;

/// <summary>
/// <c>/admin/explain?host=&amp;path=&amp;method=&amp;header=Name:%20value&amp;query=&amp;port=</c>: which listener, which route and why,
/// which pool, which endpoints are available now. The question becomes a request object and goes through the very
/// code the proxy runs — the pre-routing answers (ACME challenge, HTTP→HTTPS redirect), the listener's header
/// stripping and its router (<see cref="ListenerRouter.Explain"/>) — so the answer is what the proxy does. It does not
/// run the client-IP lists, authentication or rate limits (they depend on the client and on time), nor take a turn of
/// a weighted split: it lists the shares. docs/admin.md shows an answer.
/// </summary>
public static class ExplainView
{
    public static async Task HandleAsync(HttpContext context, DataPlaneState state, Func<HttpContext, Task?>? beforeRouting)
    {
        var query = context.Request.Query;
        var response = context.Response;
        if (!TryBuild(query, state, out var router, out var probe, out var error))
        {
            response.StatusCode = error.Status;
            await AdminHandler.WriteJsonAsync(response, json =>
            {
                json.WriteStartObject();
                json.WriteString("error", error.Message);
                json.WriteString("field", error.Field);
                RoutesView.WriteStrings(json, "listeners", state.Routers.Values.OrderBy(r => r.Listener.Port)
                    .Select(r => $"{r.Listener.Name} {r.Listener.Port.ToString(CultureInfo.InvariantCulture)} ({r.Listener.Kind})"));
                json.WriteEndObject();
            }, context.RequestAborted);
            return;
        }

        // Answers the proxy gives before any route is looked up.
        if (beforeRouting?.Invoke(probe) is { } answered)
        {
            await answered;
            await AdminHandler.WriteJsonAsync(response, json =>
            {
                json.WriteStartObject();
                WriteQuestion(json, router, probe.Request);
                json.WriteNumber("status", probe.Response.StatusCode);
                json.WriteString("answer", $"{probe.Response.StatusCode.ToString(CultureInfo.InvariantCulture)} before routing"
                    + (probe.Response.Headers.Location.Count > 0 ? " (redirect to " + probe.Response.Headers.Location + ")" : " (ACME challenge path)"));
                json.WriteNull("route");
                json.WriteEndObject();
            }, context.RequestAborted);
            return;
        }

        var explanation = router.Explain(probe.Request);
        await AdminHandler.WriteJsonAsync(response, json => Write(json, router, probe.Request, explanation), context.RequestAborted);
    }

    private static void Write(Utf8JsonWriter json, ListenerRouter router, HttpRequest request, RouteExplanation explanation)
    {
        json.WriteStartObject();
        WriteQuestion(json, router, request);
        var route = explanation.Route;
        IReadOnlyList<RouteShareView> shares = [];
        var canary = false;
        if (route is null)
        {
            json.WriteNumber("status", StatusCodes.Status404NotFound);
            json.WriteString("answer", "404: no route matched");
        }
        else if (route.Config.Redirect is { } redirect)
        {
            json.WriteNumber("status", redirect.StatusCode);
            json.WriteString("answer", $"route {route.Id} answers a redirect ({redirect.StatusCode.ToString(CultureInfo.InvariantCulture)})");
        }
        else
        {
            shares = route.Shares(request, out canary);
            json.WriteNull("status");
            json.WriteString("answer", Answer(route, shares, canary));
        }

        if (route is null) json.WriteNull("route");
        else
        {
            json.WriteStartObject("route");
            json.WriteString("id", route.Id);
            json.WriteString("hostGroup", explanation.HostGroup);
            RoutesView.WriteStrings(json, "matched", explanation.Requirements.Count == 0 ? ["anything (no path, method, header or query condition)"] : explanation.Requirements);
            json.WriteEndObject();
        }

        // The routes the router tried first (more specific, or earlier in the table), each with what it lacked.
        json.WriteStartArray("skipped");
        foreach (var skipped in explanation.Skipped)
        {
            json.WriteStartObject();
            json.WriteString("route", skipped.Route.Id);
            json.WriteString("hostGroup", skipped.HostGroup);
            json.WriteString("lacked", skipped.Lacked);
            json.WriteEndObject();
        }
        json.WriteEndArray();

        json.WriteBoolean("canary", canary);
        var totalWeight = shares.Sum(s => s.Weight);
        json.WriteStartArray("pools");
        foreach (var share in shares)
        {
            json.WriteStartObject();
            json.WriteString("pool", share.PoolId);
            json.WriteNumber("weight", share.Weight);
            json.WriteNumber("share", canary || totalWeight == 0 ? 1 : Math.Round((double)share.Weight / totalWeight, 4));
            if (share.Status is { } status) json.WriteNumber("answersStatus", status);
            if (share.Pool is { } pool) WritePool(json, pool);
            else if (share.Status is null) json.WriteString("problem", "pool not in the snapshot");
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string Answer(RouteRuntime route, IReadOnlyList<RouteShareView> shares, bool canary)
    {
        if (shares.Count == 0) return $"route {route.Id} has no backend to send to (503)";
        var pools = string.Join(", ", shares.Select(s => s.Status is { } status
            ? $"answer {status.ToString(CultureInfo.InvariantCulture)}"
            : $"pool {s.PoolId} ({(s.Pool is { } p ? $"{p.Balancer.Endpoints.Length} of {p.Endpoints.Length} endpoints available" : "missing")})"));
        return $"route {route.Id} → {(canary ? "canary " : shares.Count > 1 ? "split over " : "")}{pools}";
    }

    private static void WritePool(Utf8JsonWriter json, PoolRuntime pool)
    {
        var mode = pool.Health.Mode;
        var available = new HashSet<EndpointState>(pool.Balancer.Endpoints, ReferenceEqualityComparer.Instance);
        json.WriteString("mode", mode.ToString());
        json.WriteString("algorithm", pool.Config.LoadBalancing.Algorithm.ToString());
        json.WriteNumber("available", available.Count);
        json.WriteStartArray("endpoints");
        foreach (var endpoint in pool.Endpoints)
        {
            json.WriteStartObject();
            json.WriteString("id", endpoint.Id);
            json.WriteString("state", EndpointStateNames.Of(endpoint, mode));
            json.WriteBoolean("available", available.Contains(endpoint));
            json.WriteNumber("weight", endpoint.Weight);
            json.WriteNumber("inFlight", endpoint.Load.InFlight);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteQuestion(Utf8JsonWriter json, ListenerRouter router, HttpRequest request)
    {
        json.WriteStartObject("listener");
        json.WriteString("name", router.Listener.Name);
        json.WriteNumber("port", router.Listener.Port);
        json.WriteString("kind", router.Listener.Kind.ToString());
        json.WriteEndObject();
        json.WriteStartObject("request");
        json.WriteString("method", request.Method);
        json.WriteString("host", request.Host.Value);
        json.WriteString("path", request.Path.Value);
        json.WriteString("query", request.QueryString.Value);
        RoutesView.WriteStrings(json, "headers", request.Headers.SelectMany(h => h.Value.Select(v => $"{h.Key}: {v}")));
        json.WriteEndObject();
    }

    private readonly record struct Problem(int Status, string Field, string Message);

    /// <summary>The listener the question is for and the request it describes, or what is wrong with the question.</summary>
    private static bool TryBuild(IQueryCollection query, DataPlaneState state, out ListenerRouter router, out HttpContext probe, out Problem error)
    {
        router = null!;
        probe = null!;
        error = default;
        var host = query["host"].ToString();
        var target = query["path"].Count == 0 ? "/" : query["path"].ToString();
        var method = query["method"].Count == 0 ? HttpMethods.Get : query["method"].ToString();

        if (!TryListener(query["port"].ToString(), host, state, out router, out error)) return false;
        // The request's query string: after a '?' in path= (path=/search?q=x), or in query= (query=q%3Dx%26page%3D2).
        var question = query["query"].Count > 0 ? "?" + query["query"].ToString().TrimStart('?') : "";
        var mark = target.IndexOf('?', StringComparison.Ordinal);
        if (mark >= 0) (target, question) = (target[..mark], target[mark..]);
        if (!target.StartsWith('/'))
        {
            error = new Problem(StatusCodes.Status400BadRequest, "path", $"path '{target}' must start with '/'");
            return false;
        }
        if (method.Length == 0 || !method.All(c => char.IsAsciiLetter(c) || c == '-'))
        {
            error = new Problem(StatusCodes.Status400BadRequest, "method", $"method '{method}' is not an HTTP method");
            return false;
        }

        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = method;
        request.Scheme = router.Listener.Kind == ListenerKind.Https ? "https" : "http";
        request.Protocol = "HTTP/1.1";
        request.Host = new HostString(host);
        request.Path = new PathString(target);
        if (question.Length > 1) request.QueryString = new QueryString(question);
        foreach (var header in query["header"])
        {
            var colon = header?.IndexOf(':', StringComparison.Ordinal) ?? -1;
            var name = colon > 0 ? header![..colon].Trim() : "";
            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c)))
            {
                error = new Problem(StatusCodes.Status400BadRequest, "header", $"header '{header}' is not 'Name: value'");
                return false;
            }
            if (string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase))
            {
                error = new Problem(StatusCodes.Status400BadRequest, "header", "give the host as host=, not as a header");
                return false;
            }
            request.Headers.Append(name, header![(colon + 1)..].Trim());
        }
        context.Connection.LocalPort = router.Listener.Port;
        context.Response.Body = Stream.Null;
        probe = context;
        return true;
    }

    /// <summary><c>port=</c> when given; else the only HTTP listener; else the host's port.</summary>
    private static bool TryListener(string portText, string host, DataPlaneState state, out ListenerRouter router, out Problem error)
    {
        error = default;
        router = null!;
        int? port = null;
        if (portText.Length > 0)
        {
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var p))
            {
                error = new Problem(StatusCodes.Status400BadRequest, "port", $"port '{portText}' is not a number");
                return false;
            }
            port = p;
        }
        else if (state.Routers.Count == 1)
        {
            router = state.Routers.Values.Single();
            return true;
        }
        else if (new HostString(host).Port is { } hostPort)
        {
            port = hostPort;
        }

        if (port is null)
        {
            error = new Problem(StatusCodes.Status400BadRequest, "port",
                state.Routers.Count == 0 ? "no HTTP listener is serving" : "several HTTP listeners serve: say which with port=");
            return false;
        }
        if (!state.Routers.TryGetValue(port.Value, out router!))
        {
            error = new Problem(StatusCodes.Status404NotFound, "port", $"no HTTP listener on port {port.Value.ToString(CultureInfo.InvariantCulture)}");
            return false;
        }
        return true;
    }
}
