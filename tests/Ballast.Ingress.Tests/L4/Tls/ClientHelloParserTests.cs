using System.Text;
using Ballast.Ingress.L4.Tls;
using Ballast.Ingress.Tests.L4.Support;

namespace Ballast.Ingress.Tests.L4.Tls;

public sealed class ClientHelloParserTests
{
    private static (ClientHelloStatus Status, string Host) Parse(ReadOnlySpan<byte> data, int max = 16 * 1024)
    {
        var scratch = new byte[max];
        var host = new byte[ClientHelloParser.MaxHostNameLength];
        var status = ClientHelloParser.TryParse(data, scratch, host, out var length);
        return (status, Encoding.ASCII.GetString(host, 0, length));
    }

    [Fact]
    public async Task Extracts_the_lower_cased_server_name_from_a_real_ClientHello()
    {
        var hello = await ClientHelloCapture.ForHostAsync("Api.Example.COM");
        Assert.Equal((ClientHelloStatus.Complete, "api.example.com"), Parse(hello));
    }

    [Fact]
    public async Task Every_prefix_of_a_ClientHello_is_incomplete_not_invalid()
    {
        var hello = await ClientHelloCapture.ForHostAsync("shop.example.com");
        for (var i = 0; i < hello.Length; i++) Assert.Equal(ClientHelloStatus.Incomplete, Parse(hello.AsSpan(0, i)).Status);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(37)]
    [InlineData(200)]
    public async Task A_ClientHello_fragmented_over_many_records_is_reassembled(int chunk)
    {
        var fragmented = ClientHelloCapture.Fragment(await ClientHelloCapture.ForHostAsync("frag.example.com"), chunk);
        Assert.Equal((ClientHelloStatus.Complete, "frag.example.com"), Parse(fragmented));
        for (var i = 0; i < fragmented.Length; i += 7) Assert.Equal(ClientHelloStatus.Incomplete, Parse(fragmented.AsSpan(0, i)).Status);
    }

    [Fact]
    public async Task A_ClientHello_without_SNI_is_complete_with_an_empty_name()
    {
        var hello = await ClientHelloCapture.ForHostAsync("127.0.0.1"); // IP literals are never sent as SNI
        Assert.Equal((ClientHelloStatus.Complete, ""), Parse(hello));
    }

    [Fact]
    public async Task Malformed_input_is_invalid()
    {
        var hello = await ClientHelloCapture.ForHostAsync("shop.example.com");
        byte[] Mutate(int index, byte value) { var copy = (byte[])hello.Clone(); copy[index] = value; return copy; }
        Assert.Equal(ClientHelloStatus.Invalid, Parse("GET / HTTP/1.1\r\n\r\n"u8).Status); // plain HTTP
        Assert.Equal(ClientHelloStatus.Invalid, Parse(Mutate(0, 0x17)).Status);            // application data record
        Assert.Equal(ClientHelloStatus.Invalid, Parse(Mutate(5, 0x02)).Status);            // ServerHello, not ClientHello
        Assert.Equal(ClientHelloStatus.Invalid, Parse(Mutate(5 + 4 + 34, 33)).Status);     // session id longer than 32
        // Extensions length one more than what follows.
        var sessionLength = hello[5 + 4 + 34];
        var at = 5 + 4 + 35 + sessionLength;
        var cipherLength = (hello[at] << 8) | hello[at + 1];
        at += 2 + cipherLength;
        at += 1 + hello[at];
        var extensionsLength = (hello[at] << 8) | hello[at + 1];
        Assert.Equal(ClientHelloStatus.Invalid, Parse(Mutate(at + 1, (byte)(extensionsLength + 1))).Status);
    }

    [Fact]
    public async Task A_ClientHello_larger_than_the_bound_is_invalid()
    {
        var hello = await ClientHelloCapture.ForHostAsync("shop.example.com");
        Assert.Equal(ClientHelloStatus.Complete, Parse(hello, max: hello.Length).Status);
        Assert.Equal(ClientHelloStatus.Invalid, Parse(hello, max: 64).Status);
        Assert.Equal(ClientHelloStatus.Invalid, Parse(ClientHelloCapture.Fragment(hello, 50), max: 64).Status);
    }

    [Fact]
    public async Task Parsing_allocates_nothing()
    {
        var hello = ClientHelloCapture.Fragment(await ClientHelloCapture.ForHostAsync("alloc.example.com"), 90);
        var scratch = new byte[16 * 1024];
        var host = new byte[ClientHelloParser.MaxHostNameLength];
        ClientHelloParser.TryParse(hello, scratch, host, out _); // warm up (JIT)
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) ClientHelloParser.TryParse(hello, scratch, host, out _);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
