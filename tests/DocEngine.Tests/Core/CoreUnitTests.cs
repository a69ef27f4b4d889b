using System.Text;
using DocEngine.Core.Storage;
using DocEngine.Core.Uploads;

namespace DocEngine.Tests.Core;

/// <summary>Small pure pieces: checksums, labels, tokens, sizes, ids.</summary>
public sealed class CoreUnitTests
{
    [Fact]
    public void Crc32c_matches_the_rfc_3720_check_value()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0u, Crc32C.Compute([]));
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32])); // RFC 3720 B.4: 32 bytes of zeros
    }

    [Theory]
    [InlineData("passport.pdf", "passport.pdf")]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData(@"C:\Users\amal\Desktop\bank statement.pdf", "bank statement.pdf")]
    [InlineData("evil\u0000name\r\n.pdf", "evilname.pdf")]
    [InlineData("..", "unnamed")]
    [InlineData("", "unnamed")]
    public void A_file_name_becomes_a_label_and_never_a_path(string given, string label) =>
        Assert.Equal(label, UploadLabels.Filename(given));

    [Fact]
    public void Declared_hashes_and_media_types_are_normalized_or_refused()
    {
        Assert.Equal(new string('a', 64), UploadLabels.Sha256(new string('A', 64), "sha256"));
        Assert.Null(UploadLabels.Sha256("", "sha256"));
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<DocEngineException>(() => UploadLabels.Sha256("abc", "sha256")).Kind);
        Assert.Equal("application/pdf", UploadLabels.MediaType(" Application/PDF "));
        Assert.Equal("application/octet-stream", UploadLabels.MediaType(null));
        Assert.Equal("INVALID_MEDIA_TYPE", Assert.Throws<DocEngineException>(() => UploadLabels.MediaType("pdf please")).Reason);
    }

    [Fact]
    public void Page_tokens_round_trip_and_a_foreign_token_is_refused()
    {
        var token = PageToken.Encode('d', 12345);
        Assert.Equal(12345, PageToken.Decode('d', token));
        Assert.Equal(0, PageToken.Decode('d', ""));
        Assert.Equal("INVALID_PAGE_TOKEN", Assert.Throws<DocEngineException>(() => PageToken.Decode('a', token)).Reason);
        Assert.Equal("INVALID_PAGE_TOKEN", Assert.Throws<DocEngineException>(() => PageToken.Decode('a', "%%%")).Reason);
        Assert.Equal(PageToken.MaxPageSize, PageToken.Size(5000));
        Assert.Equal(PageToken.DefaultPageSize, PageToken.Size(0));
    }

    [Theory]
    [InlineData("4MB", 4_000_000)]
    [InlineData("4MiB", 4_194_304)]
    [InlineData("4 mib", 4_194_304)]
    [InlineData("1.5KB", 1_500)]
    [InlineData("262144", 262_144)]
    [InlineData("2GiB", 2_147_483_648)]
    public void Sizes_accept_si_iec_and_plain_bytes(string text, long bytes)
    {
        Assert.True(ByteSize.TryParse(text, out var parsed));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("lots")]
    [InlineData("-1")]
    [InlineData("1.5B")]
    [InlineData("4XB")]
    public void Sizes_that_are_not_sizes_are_refused(string text) => Assert.False(ByteSize.TryParse(text, out _));

    [Fact]
    public void Generated_ids_are_valid_and_distinct()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => Ids.New()).ToList();
        Assert.All(ids, id => Assert.True(Ids.IsValid(id)));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.False(Ids.IsValid(".."));
        Assert.False(Ids.IsValid("a/b"));
        Assert.False(Ids.IsValid(new string('a', 65)));
    }

    [Fact]
    public async Task A_hash_checking_stream_passes_intact_bytes_and_refuses_altered_ones_at_the_end()
    {
        var data = Encoding.UTF8.GetBytes("the exact bytes an applicant sent");
        var sha = Tests.Infrastructure.TestData.Sha256(data);

        await using (var intact = new HashCheckingStream(new MemoryStream(data), sha))
        {
            Assert.Equal(0, await intact.ReadAsync(Memory<byte>.Empty)); // a zero-length read is not the end
            Assert.Equal(data, await ReadAllAsync(intact));
        }

        data[3] ^= 0x20;
        await using var altered = new HashCheckingStream(new MemoryStream(data), sha);
        var error = await Assert.ThrowsAsync<DocEngineException>(() => ReadAllAsync(altered));
        Assert.Equal(ErrorKind.DataLoss, error.Kind);
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
