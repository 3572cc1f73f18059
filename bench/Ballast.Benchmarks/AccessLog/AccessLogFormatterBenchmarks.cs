using System.Buffers;
using System.Net;
using Ballast.Ingress.AccessLog;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using BenchmarkDotNet.Attributes;

namespace Ballast.Benchmarks.AccessLog;

/// <summary>
/// The writer thread's cost per access-log line: one typical proxied request (no TLS, no auth, no query) formatted
/// as a JSON line and as the combined-log-style template, into a reused buffer as the writer does. On the benchmark
/// machine the proxy and its writer share one core, so this is paid per request when access logs are on.
/// </summary>
[MemoryDiagnoser]
public class AccessLogFormatterBenchmarks
{
    private readonly AccessLogFormatter _formatter = new();
    private readonly ArrayBufferWriter<byte> _line = new(1024);
    private AccessLogEntry _json = null!;
    private AccessLogEntry _template = null!;

    [GlobalSetup]
    public void Setup()
    {
        _json = Entry(new AccessLogSnapshot { Format = AccessLogFormat.Json });
        _template = Entry(new AccessLogSnapshot
        {
            Format = AccessLogFormat.Template,
            Template = "{client_address} - - [{time}] \"{method} {path} {protocol}\" {status} {response_bytes} \"{referer}\" \"{user_agent}\" {duration_ms}",
        });
        Json();
        Template();
    }

    [Benchmark(Baseline = true)]
    public int Json()
    {
        _line.ResetWrittenCount();
        _formatter.Write(_json, _line);
        return _line.WrittenCount;
    }

    [Benchmark]
    public int Template()
    {
        _line.ResetWrittenCount();
        _formatter.Write(_template, _line);
        return _line.WrittenCount;
    }

    private static AccessLogEntry Entry(AccessLogSnapshot config) => new(new ListenerSnapshot { Name = "http", Port = 8080, Kind = ListenerKind.Http })
    {
        Config = config,
        Time = new DateTimeOffset(2026, 12, 8, 2, 0, 0, 123, TimeSpan.Zero),
        ClientAddress = IPAddress.Parse("10.1.2.3"),
        ClientPort = 51_234,
        Method = "GET",
        Scheme = "http",
        Host = "shop.example.com",
        Path = "/api/orders/42",
        Protocol = "HTTP/1.1",
        UserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
        Referer = "https://shop.example.com/cart",
        Status = 200,
        DurationMs = 1.23456,
        UpstreamTtfbMs = 0.98765,
        UpstreamStatus = 200,
        RequestId = "0f8e2c1a-5b7d-4e3f-9a6b-1c2d3e4f5a6b",
    };
}
