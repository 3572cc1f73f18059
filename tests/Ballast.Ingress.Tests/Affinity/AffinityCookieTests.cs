using System.Security.Cryptography;
using Ballast.Ingress.Affinity;

namespace Ballast.Ingress.Tests.Affinity;

public sealed class AffinityCookieTests
{
    private static readonly byte[] KeyA = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] KeyB = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();
    private const ulong Pool = 0x1234;
    private const long Now = 1_800_000_000;

    [Fact]
    public void A_cookie_round_trips_to_its_endpoint_tag_and_names_no_endpoint_in_clear()
    {
        var tag = AffinityCookie.EndpointTag(KeyA, "shop/orders", "10.0.0.7:8080");
        var value = AffinityCookie.Encode(KeyA, Pool, tag, Now + 60);

        Assert.Equal(AffinityCookie.EncodedLength, value.Length);
        Assert.True(AffinityCookie.TryDecode(value, [KeyA], Pool, Now, out var decoded, out var keyIndex, out var expires));
        Assert.Equal(tag, decoded);
        Assert.Equal(0, keyIndex);
        Assert.Equal(Now + 60, expires);
        // The tag is keyed: without the key, the endpoint's plain hash does not appear.
        Assert.NotEqual(AffinityCookie.EndpointTag(KeyB, "shop/orders", "10.0.0.7:8080"), tag);
    }

    [Fact]
    public void Every_single_flipped_byte_makes_the_cookie_invalid()
    {
        var value = AffinityCookie.Encode(KeyA, Pool, 42, Now + 60);
        var bytes = System.Buffers.Text.Base64Url.DecodeFromChars(value);
        for (var i = 0; i < bytes.Length; i++)
        {
            var tampered = (byte[])bytes.Clone();
            tampered[i] ^= 0x01;
            Assert.False(AffinityCookie.TryDecode(System.Buffers.Text.Base64Url.EncodeToString(tampered), [KeyA], Pool, Now, out _, out _, out _), $"byte {i}");
        }
    }

    [Fact]
    public void A_cookie_of_another_key_another_pool_or_past_its_expiry_is_refused()
    {
        var value = AffinityCookie.Encode(KeyB, Pool, 42, Now + 60);
        Assert.False(AffinityCookie.TryDecode(value, [KeyA], Pool, Now, out _, out _, out _));
        Assert.False(AffinityCookie.TryDecode(AffinityCookie.Encode(KeyA, Pool, 42, Now + 60), [KeyA], Pool + 1, Now, out _, out _, out _));
        Assert.False(AffinityCookie.TryDecode(AffinityCookie.Encode(KeyA, Pool, 42, Now + 60), [KeyA], Pool, Now + 60, out _, out _, out _));
        Assert.False(AffinityCookie.TryDecode("garbage", [KeyA], Pool, Now, out _, out _, out _));
        Assert.False(AffinityCookie.TryDecode(new string('A', AffinityCookie.EncodedLength), [KeyA], Pool, Now, out _, out _, out _));
    }

    [Fact]
    public void After_rotation_a_cookie_signed_by_the_older_key_still_verifies_and_says_which_key()
    {
        var old = AffinityCookie.Encode(KeyA, Pool, 42, Now + 60);
        Assert.True(AffinityCookie.TryDecode(old, [KeyB, KeyA], Pool, Now, out var tag, out var keyIndex, out _));
        Assert.Equal(42UL, tag);
        Assert.Equal(1, keyIndex);
    }

    [Fact]
    public void Finding_the_cookie_reads_the_named_pair_among_several_header_lines()
    {
        Assert.Equal("v2", AffinityCookie.Find(new(["a=1; BALLASTX=no", "x=2; BALLAST=\"v2\""]), "BALLAST").ToString());
        Assert.True(AffinityCookie.Find(new("BALLASTX=1"), "BALLAST").IsEmpty);
    }

    [Fact]
    public void A_key_file_lists_keys_newest_first_and_its_errors_name_the_line()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, ["# rotated 2026-11", Convert.ToBase64String(KeyB), "", Convert.ToBase64String(KeyA)]);
            var ring = AffinityKeyRing.Load(path);
            Assert.Equal([KeyB, KeyA], ring.Keys.ToArray());

            File.WriteAllLines(path, [Convert.ToBase64String(KeyA), Convert.ToBase64String(RandomNumberGenerator.GetBytes(8))]);
            var error = Assert.Throws<FormatException>(() => AffinityKeyRing.Load(path));
            Assert.Contains("line 2", error.Message);
            Assert.Contains("--affinity-key-file", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
