using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ballast.Ingress.Metrics;
using Ballast.Ingress.Policies.RateLimiting;
using Ballast.Ingress.Redis;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ballast.Benchmarks.Policies;

/// <summary>
/// Cost of one global (Redis) rate-limit check, over 1,024 client IPs, against a real redis-server on 127.0.0.1
/// started here. <c>PreCheckHit</c>: every client is over its budget and Redis has said so once, so the check is
/// decided by the local pre-check (no round trip: the path a client hammering a spent budget takes). Otherwise
/// every check runs the GCRA script in Redis (one round trip).
/// </summary>
[MemoryDiagnoser]
public class GlobalRateLimitBenchmarks
{
    private const int Checks = 1024;

    private Process _redis = null!;
    private RedisConnection _connection = null!;
    private GlobalRateLimiter _limiter = null!;
    private HttpContext[] _contexts = null!;

    [Params(true, false)]
    public bool PreCheckHit { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var port = FreePort();
        _redis = Process.Start(new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" },
            RedirectStandardOutput = true,
        })!;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!Accepts(port))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("redis-server did not come up");
            Thread.Sleep(20);
        }
        _connection = new RedisConnection(new RedisOptions { Endpoint = $"127.0.0.1:{port}", OperationTimeout = TimeSpan.FromSeconds(1) },
            new IngressMetrics(), NullLogger<RedisConnection>.Instance);
        while (_connection.Multiplexer is not { IsCompletedSuccessfully: true, Result.IsConnected: true } || _connection.IsDegraded)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("could not connect to redis-server");
            Thread.Sleep(20);
        }
        _limiter = new GlobalRateLimiter(new RateLimitSnapshot
        {
            Limit = PreCheckHit ? 1 : 1_000_000,
            Period = PreCheckHit ? TimeSpan.FromDays(1) : TimeSpan.FromSeconds(1),
            Burst = PreCheckHit ? 1 : 10_000_000,
            Key = RateLimitKey.ClientIp,
            Mode = RateLimitMode.Global,
            Replicas = 3,
        }, "bench/route", _connection, TimeProvider.System, Ballast.Ingress.Policies.PolicyMetrics.Of(new IngressMetrics().Registry).RateLimitDegraded.WithLabels("bench"));
        _contexts = new HttpContext[Checks];
        for (var i = 0; i < Checks; i++)
        {
            var context = new DefaultHttpContext();
            context.Connection.RemoteIpAddress = new IPAddress([10, 1, (byte)(i >> 8), (byte)i]);
            _contexts[i] = context;
        }
        Run(); // every key seen once (and, with PreCheckHit, its one request spent)
        Run(); // with PreCheckHit: Redis refuses each key once; from now on the pre-check decides
    }

    [Benchmark(OperationsPerInvoke = Checks)]
    public int Run()
    {
        var passed = 0;
        foreach (var context in _contexts)
        {
            var check = _limiter.AcquireAsync(context);
            if ((check.IsCompletedSuccessfully ? check.Result : check.AsTask().GetAwaiter().GetResult()).Admitted) passed++;
        }
        return passed;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _connection.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _redis.Kill();
        _redis.WaitForExit();
        _redis.Dispose();
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
