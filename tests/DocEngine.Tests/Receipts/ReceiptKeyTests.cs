using DocEngine.Core.Storage.Embedded;
using System.Security.Cryptography;
using DocEngine.Core.Receipts;
using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Receipts;

/// <summary>Receipt keys: generated once and kept, configured from PEM files, rotated with old keys still published.</summary>
public sealed class ReceiptKeyTests
{
    [Fact]
    public async Task A_generated_key_is_kept_under_the_data_directory_and_reused()
    {
        using var data = new TempDirectory();

        var first = await ReceiptKeys.LoadAsync(new ReceiptOptions(), new FileReceiptKeyStore(Path.Combine(data.Path, "receipt-keys")), TimeProvider.System, CancellationToken.None);
        var second = await ReceiptKeys.LoadAsync(new ReceiptOptions(), new FileReceiptKeyStore(Path.Combine(data.Path, "receipt-keys")), TimeProvider.System, CancellationToken.None);

        Assert.Equal(first.Active.Id, second.Active.Id);
        var file = Assert.Single(Directory.GetFiles(Path.Combine(data.Path, "receipt-keys")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public async Task Rotation_signs_with_the_active_key_and_keeps_the_retired_one_published_so_old_receipts_verify()
    {
        using var data = new TempDirectory();
        using var oldKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var newKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var oldPublic = Path.Combine(data.Path, "2025.pem");
        var newPrivate = Path.Combine(data.Path, "2026.pem");
        File.WriteAllText(oldPublic, oldKey.ExportSubjectPublicKeyInfoPem());
        File.WriteAllText(newPrivate, newKey.ExportPkcs8PrivateKeyPem());
        var oldReceipt = Jws.Sign("{\"typ\":\"docengine.receipt.v1\"}"u8, "old", oldKey);

        var keys = await ReceiptKeys.LoadAsync(new ReceiptOptions { KeyFiles = [oldPublic, newPrivate] }, new FileReceiptKeyStore(data.Path), TimeProvider.System, CancellationToken.None);

        Assert.Equal(2, keys.All.Count);
        Assert.True(keys.Active.CanSign);
        Assert.False(keys.All[0].CanSign);
        Assert.Contains(keys.All[0].Id, keys.JwkSet(), StringComparison.Ordinal);
        Assert.True(Jws.Verify(Jws.Parse(oldReceipt).Parts!, keys.All[0].Key));
        Assert.False(Jws.Verify(Jws.Parse(oldReceipt).Parts!, keys.Active.Key));
        Assert.False(Directory.Exists(Path.Combine(data.Path, "receipt-keys"))); // configured keys: nothing generated
    }
}
