using System.Net;
using System.Text;
using Ballast.Ingress.L4.ProxyProtocol;
using Ballast.Model.Resources;

namespace Ballast.Ingress.Tests.L4.ProxyProtocol;

public sealed class ProxyProtocolTests
{
    private static readonly IPEndPoint Client4 = IPEndPoint.Parse("203.0.113.7:51234");
    private static readonly IPEndPoint Local4 = IPEndPoint.Parse("10.1.2.3:443");
    private static readonly IPEndPoint Client6 = IPEndPoint.Parse("[2001:db8::7]:51234");
    private static readonly IPEndPoint Local6 = IPEndPoint.Parse("[2001:db8::1]:443");

    [Fact]
    public void V1_writes_the_text_line_of_the_spec()
    {
        var buffer = new byte[ProxyProtocolWriter.MaxLength];
        var n = ProxyProtocolWriter.Write(buffer, ProxyProtocolVersion.V1, Client4, Local4);
        Assert.Equal("PROXY TCP4 203.0.113.7 10.1.2.3 51234 443\r\n", Encoding.ASCII.GetString(buffer, 0, n));
        n = ProxyProtocolWriter.Write(buffer, ProxyProtocolVersion.V1, Client6, Local6);
        Assert.Equal("PROXY TCP6 2001:db8::7 2001:db8::1 51234 443\r\n", Encoding.ASCII.GetString(buffer, 0, n));
    }

    [Fact]
    public void V2_writes_signature_command_family_and_addresses_in_network_order()
    {
        var buffer = new byte[ProxyProtocolWriter.MaxLength];
        var n = ProxyProtocolWriter.Write(buffer, ProxyProtocolVersion.V2, Client4, Local4);
        Assert.Equal(28, n);
        Assert.Equal(new byte[] { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11, 0x00, 0x0C,
            203, 0, 113, 7, 10, 1, 2, 3, 0xC8, 0x22, 0x01, 0xBB }, buffer[..n]);
        Assert.Equal(0, ProxyProtocolWriter.Write(buffer, ProxyProtocolVersion.None, Client4, Local4));
    }

    [Theory]
    [InlineData(ProxyProtocolVersion.V1, false)]
    [InlineData(ProxyProtocolVersion.V1, true)]
    [InlineData(ProxyProtocolVersion.V2, false)]
    [InlineData(ProxyProtocolVersion.V2, true)]
    public void Reader_reads_back_what_the_writer_wrote_and_leaves_the_stream_bytes(ProxyProtocolVersion version, bool v6)
    {
        var (client, local) = v6 ? (Client6, Local6) : (Client4, Local4);
        var buffer = new byte[200];
        var n = ProxyProtocolWriter.Write(buffer, version, client, local);
        "GET /"u8.CopyTo(buffer.AsSpan(n));
        Assert.Equal(ProxyHeaderStatus.Complete, ProxyProtocolReader.TryParse(buffer.AsSpan(0, n + 5), out var header, out var consumed));
        Assert.Equal(n, consumed);
        Assert.Equal(client, header.Source);
        Assert.Equal(local, header.Destination);
        // Every strict prefix asks for more bytes rather than failing.
        for (var i = 1; i < n; i++) Assert.Equal(ProxyHeaderStatus.Incomplete, ProxyProtocolReader.TryParse(buffer.AsSpan(0, i), out _, out _));
    }

    [Fact]
    public void Writer_maps_mixed_families_to_IPv6_and_unmaps_IPv4_mapped_addresses()
    {
        var buffer = new byte[ProxyProtocolWriter.MaxLength];
        var mapped = new IPEndPoint(IPAddress.Parse("::ffff:203.0.113.7"), 1000);
        var n = ProxyProtocolWriter.Write(buffer, ProxyProtocolVersion.V1, mapped, Local4);
        Assert.Equal("PROXY TCP4 203.0.113.7 10.1.2.3 1000 443\r\n", Encoding.ASCII.GetString(buffer, 0, n));
        n = ProxyProtocolWriter.Write(buffer, ProxyProtocolVersion.V1, Client4, Local6);
        Assert.StartsWith("PROXY TCP6 ::ffff:203.0.113.7 2001:db8::1 ", Encoding.ASCII.GetString(buffer, 0, n));
    }

    [Theory]
    [InlineData("PROXY UNKNOWN\r\n")]
    [InlineData("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n")]
    public void V1_unknown_is_valid_and_carries_no_address(string line)
    {
        Assert.Equal(ProxyHeaderStatus.Complete, ProxyProtocolReader.TryParse(Encoding.ASCII.GetBytes(line), out var header, out var consumed));
        Assert.Equal(line.Length, consumed);
        Assert.Null(header.Source);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n")]                                  // not PROXY at all
    [InlineData("PROXY TCP4 203.0.113.7 10.1.2.3 51234\r\n")]           // a field missing
    [InlineData("PROXY TCP4 2001:db8::7 10.1.2.3 1 2\r\n")]             // family mismatch
    [InlineData("PROXY TCP4 203.0.113.7 10.1.2.3 65536 443\r\n")]       // port out of range
    [InlineData("PROXY TCP4 203.0.113.7 10.1.2.3 0443 443\r\n")]        // leading zero
    [InlineData("PROXY TCP5 203.0.113.7 10.1.2.3 1 443\r\n")]           // unknown protocol
    [InlineData("PROXY TCP4 203.0.113.7 10.1.2.3 1 443\n")]             // LF without CR
    public void V1_rejects_malformed_lines(string line)
        => Assert.Equal(ProxyHeaderStatus.Invalid, ProxyProtocolReader.TryParse(Encoding.ASCII.GetBytes(line), out _, out _));

    [Fact]
    public void V1_without_a_line_end_within_107_bytes_is_rejected()
    {
        var line = "PROXY TCP4 " + new string('1', 120);
        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyProtocolReader.TryParse(Encoding.ASCII.GetBytes(line), out _, out _));
        Assert.Equal(ProxyHeaderStatus.Incomplete, ProxyProtocolReader.TryParse(Encoding.ASCII.GetBytes(line[..60]), out _, out _));
    }

    [Fact]
    public void V2_rejects_bad_version_bad_command_oversized_payload_and_short_addresses()
    {
        var buffer = new byte[ProxyProtocolWriter.MaxLength];
        var n = ProxyProtocolWriter.Write(buffer, ProxyProtocolVersion.V2, Client4, Local4);
        byte[] Mutate(int index, byte value) { var copy = buffer[..n]; copy[index] = value; return copy; }
        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyProtocolReader.TryParse(Mutate(12, 0x11), out _, out _)); // version 1 in a v2 frame
        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyProtocolReader.TryParse(Mutate(12, 0x22), out _, out _)); // command 2
        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyProtocolReader.TryParse(Mutate(15, 0x08), out _, out _)); // 8 bytes: too short for IPv4
        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyProtocolReader.TryParse(Mutate(3, 0x0B), out _, out _));  // broken signature
        var huge = Mutate(14, 0x10); // 4 KiB payload announced: above the bound, refused before it is read
        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyProtocolReader.TryParse(huge, out _, out _));
    }

    [Fact]
    public void V2_local_command_and_TLVs_are_accepted_and_skipped()
    {
        var buffer = new byte[100];
        var n = ProxyProtocolWriter.Write(buffer, ProxyProtocolVersion.V2, Client4, Local4);
        buffer[15] = 12 + 7; // add a 7-byte TLV after the addresses
        new byte[] { 0x04, 0x00, 0x04, 1, 2, 3, 4 }.CopyTo(buffer, n);
        Assert.Equal(ProxyHeaderStatus.Complete, ProxyProtocolReader.TryParse(buffer.AsSpan(0, n + 7), out var header, out var consumed));
        Assert.Equal(n + 7, consumed);
        Assert.Equal(Client4, header.Source);

        buffer[12] = 0x20; // LOCAL: a health check from the upstream balancer itself
        Assert.Equal(ProxyHeaderStatus.Complete, ProxyProtocolReader.TryParse(buffer.AsSpan(0, n + 7), out header, out _));
        Assert.Null(header.Source);
    }

    [Fact]
    public void Measuring_a_datagrams_v2_header_agrees_with_parsing_it_and_refuses_v1_and_truncated_headers()
    {
        var buffer = new byte[ProxyProtocolWriter.MaxLength + 4];
        foreach (var (client, local) in new[] { (Client4, Local4), (Client6, Local6) })
        {
            var n = ProxyProtocolWriter.Write(buffer, ProxyProtocolVersion.V2, client, local, datagram: true);
            "data"u8.CopyTo(buffer.AsSpan(n));
            Assert.Equal(ProxyHeaderStatus.Complete, ProxyProtocolReader.TryParse(buffer.AsSpan(0, n + 4), out _, out var parsed));
            Assert.True(ProxyProtocolReader.TryMeasureV2(buffer.AsSpan(0, n + 4), out var measured));
            Assert.Equal(parsed, measured);
            Assert.Equal(n, measured);
            Assert.False(ProxyProtocolReader.TryMeasureV2(buffer.AsSpan(0, n - 1), out _)); // cut short: no header
        }
        var v1 = ProxyProtocolWriter.Write(buffer, ProxyProtocolVersion.V1, Client4, Local4);
        Assert.False(ProxyProtocolReader.TryMeasureV2(buffer.AsSpan(0, v1), out _));
        Assert.False(ProxyProtocolReader.TryMeasureV2("plain datagram, no header"u8, out _));
    }
}
