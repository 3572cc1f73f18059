using System.Net;

namespace Ballast.Ingress.HighAvailability;

/// <summary>
/// <c>POST /admin/ha/role</c> on the admin port, form fields <c>instance</c> and <c>state</c>: what keepalived's
/// notify script calls on every transition. Guarded three ways: it exists only on the admin listener (never on a
/// proxy port), only POST changes anything (anything else: 405 with <c>Allow: POST</c>), and only a caller on the
/// node itself (a loopback address) may set it (403 otherwise), since keepalived runs beside Ballast. A body over
/// 1 KiB or a bad field gets 400 naming the field.
/// </summary>
public static class HaRoleEndpoint
{
    public const string Path = "/admin/ha/role";
    private const int MaxBody = 1024;

    public static async Task HandleAsync(HttpContext context, HaRoles roles)
    {
        var request = context.Request;
        var response = context.Response;
        response.ContentType = "text/plain";
        if (!HttpMethods.IsPost(request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "POST";
            await response.WriteAsync("POST instance=NAME&state=MASTER|BACKUP|FAULT|STOP\n");
            return;
        }
        if (context.Connection.RemoteIpAddress is not { } remote || !IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote))
        {
            response.StatusCode = StatusCodes.Status403Forbidden;
            await response.WriteAsync("the HA role is set by keepalived on this node only (loopback)\n");
            return;
        }
        if (!request.HasFormContentType || request.ContentLength is null or > MaxBody)
        {
            response.StatusCode = StatusCodes.Status400BadRequest;
            await response.WriteAsync($"body: application/x-www-form-urlencoded of at most {MaxBody} bytes, with instance and state\n");
            return;
        }
        var form = await request.ReadFormAsync(context.RequestAborted);
        var error = roles.TrySet(form["instance"].ToString(), form["state"].ToString());
        if (error is not null)
        {
            response.StatusCode = StatusCodes.Status400BadRequest;
            await response.WriteAsync(error + "\n");
            return;
        }
        await response.WriteAsync($"{form["instance"]}: {form["state"].ToString().ToLowerInvariant()}\n");
    }
}
