using DocEngine.Core.Batch;
using DocEngine.Core.Storage;

namespace DocEngine.Tests.Storage.Conformance;

/// <summary>What every provider's metadata must do, whatever database is behind it. One abstract suite per interface.</summary>
public abstract class ConformanceSuite(IStorageProvider provider)
{
    protected static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    protected async Task<TestStores> OpenAsync()
    {
        provider.RequireOrSkip();
        return await provider.OpenAsync();
    }

    protected static string Unique(string prefix) => prefix + "-" + Ids.New();

    /// <summary>A document made the way an upload makes one: a session, then its completion.</summary>
    protected static async Task<DocumentRecord> AddDocumentAsync(TestStores stores, string tenant, string application, string filename, long size = 10)
    {
        var upload = new UploadRecord(tenant, Ids.New(), application, filename, "application/pdf", size, null, size, UploadState.Open, Now, Now.AddDays(1));
        await stores.Sessions.CreateUploadAsync(upload, CancellationToken.None);
        return await stores.Sessions.CompleteUploadAsync(upload, Ids.New(), new string('a', 64), Now, CancellationToken.None);
    }
}

public abstract class ApplicationStoreConformance(IStorageProvider provider) : ConformanceSuite(provider)
{
    [SkippableFact]
    public async Task Applications_are_created_once_listed_in_pages_and_hidden_from_other_tenants()
    {
        await using var stores = await OpenAsync();
        var tenant = Unique("t");
        for (var i = 0; i < 5; i++)
        {
            await stores.Applications.CreateApplicationAsync(tenant, $"A-{i}", $"Application {i}", Now.AddSeconds(i), CancellationToken.None);
        }
        var again = await Assert.ThrowsAsync<DocEngineException>(() => stores.Applications.CreateApplicationAsync(tenant, "A-1", "", Now, CancellationToken.None));
        Assert.Equal(ErrorKind.AlreadyExists, again.Kind);

        var first = await stores.Applications.ListApplicationsAsync(tenant, 3, null, CancellationToken.None);
        var second = await stores.Applications.ListApplicationsAsync(tenant, 3, first.NextPageToken, CancellationToken.None);
        Assert.Equal(["A-0", "A-1", "A-2", "A-3", "A-4"], first.Items.Concat(second.Items).Select(a => a.Id));
        Assert.Equal("", second.NextPageToken);
        Assert.Null(await stores.Applications.GetApplicationAsync("someone-else", "A-1", CancellationToken.None));
        Assert.Equal(Now.AddSeconds(1), (await stores.Applications.GetApplicationAsync(tenant, "A-1", CancellationToken.None))!.CreateTime);
    }

    [SkippableFact]
    public async Task Submitting_keeps_the_first_submit_time()
    {
        await using var stores = await OpenAsync();
        var tenant = Unique("t");
        await stores.Applications.CreateApplicationAsync(tenant, "A", "", Now, CancellationToken.None);
        var submitted = await stores.Applications.SubmitApplicationAsync(tenant, "A", Now.AddHours(1), CancellationToken.None);
        var again = await stores.Applications.SubmitApplicationAsync(tenant, "A", Now.AddHours(2), CancellationToken.None);
        Assert.Equal(Now.AddHours(1), submitted!.SubmitTime);
        Assert.Equal(Now.AddHours(1), again!.SubmitTime);
        Assert.Null(await stores.Applications.SubmitApplicationAsync(tenant, "missing", Now, CancellationToken.None));
    }
}

public abstract class DocumentStoreConformance(IStorageProvider provider) : ConformanceSuite(provider)
{
    [SkippableFact]
    public async Task Documents_of_one_name_get_versions_without_gaps_or_twins_even_when_completed_at_once()
    {
        await using var stores = await OpenAsync();
        var tenant = Unique("t");
        await stores.Applications.CreateApplicationAsync(tenant, "A", "", Now, CancellationToken.None);
        var documents = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => AddDocumentAsync(stores, tenant, "A", "passport.pdf")));
        Assert.Equal(Enumerable.Range(1, 8), documents.Select(d => d.Version).Order());

        var page = await stores.Documents.ListDocumentsAsync(tenant, "A", 5, null, CancellationToken.None);
        var rest = await stores.Documents.ListDocumentsAsync(tenant, "A", 5, page!.NextPageToken, CancellationToken.None);
        Assert.Equal(8, page.Items.Count + rest!.Items.Count);
        Assert.Null(await stores.Documents.ListDocumentsAsync(tenant, "missing", 5, null, CancellationToken.None));
        Assert.Null(await stores.Documents.GetDocumentAsync("someone-else", "A", documents[0].Id, CancellationToken.None));
        Assert.Equal(documents[0], await stores.Documents.GetDocumentAsync(tenant, "A", documents[0].Id, CancellationToken.None));
    }

    [SkippableFact]
    public async Task A_document_received_after_submission_is_supplementary()
    {
        await using var stores = await OpenAsync();
        var tenant = Unique("t");
        await stores.Applications.CreateApplicationAsync(tenant, "A", "", Now, CancellationToken.None);
        var before = await AddDocumentAsync(stores, tenant, "A", "a.pdf");
        await stores.Applications.SubmitApplicationAsync(tenant, "A", Now, CancellationToken.None);
        var after = await AddDocumentAsync(stores, tenant, "A", "b.pdf");
        Assert.False(before.Supplementary);
        Assert.True(after.Supplementary);
        Assert.Equal(2, (await stores.Applications.GetApplicationAsync(tenant, "A", CancellationToken.None))!.DocumentCount);
    }
}

public abstract class UploadSessionStoreConformance(IStorageProvider provider) : ConformanceSuite(provider)
{
    [SkippableFact]
    public async Task A_commit_records_offset_hashes_and_part_state_only_from_the_offset_it_moves_on_from()
    {
        await using var stores = await OpenAsync();
        var upload = new UploadRecord(Unique("t"), Ids.New(), "A", "a.pdf", "application/pdf", 100, null, 0, UploadState.Open, Now, Now.AddDays(1));
        await stores.Sessions.CreateUploadAsync(upload, CancellationToken.None);
        byte[] hash = [1, 2, 3];
        Assert.True(await stores.Sessions.SaveCommitAsync(upload.Id, 0, new UploadCommit(40, Now.AddDays(2), hash, "{\"parts\":1}"), CancellationToken.None));
        Assert.False(await stores.Sessions.SaveCommitAsync(upload.Id, 0, new UploadCommit(60, Now.AddDays(2), hash, null), CancellationToken.None)); // a stale writer

        var stored = (await stores.Sessions.GetUploadAsync(upload.Tenant, upload.Id, CancellationToken.None))!;
        Assert.Equal((40L, Now.AddDays(2), "{\"parts\":1}"), (stored.CommittedOffset, stored.ExpireTime, stored.PartState));
        Assert.Equal(hash, stored.HashState);
        Assert.Null(await stores.Sessions.GetUploadAsync("someone-else", upload.Id, CancellationToken.None));
        Assert.NotNull(await stores.Sessions.GetUploadAsync(null, upload.Id, CancellationToken.None));

        await stores.Sessions.SetUploadStateAsync(upload.Id, UploadState.Cancelled, null, CancellationToken.None);
        Assert.False(await stores.Sessions.SaveCommitAsync(upload.Id, 40, new UploadCommit(50, Now, hash, null), CancellationToken.None)); // not open any more
    }

    [SkippableFact]
    public async Task One_writer_holds_a_session_at_a_time_and_the_next_gets_it_when_released()
    {
        await using var stores = await OpenAsync();
        var id = Ids.New();
        var first = await stores.Sessions.LockUploadAsync(id, TimeSpan.Zero, CancellationToken.None);
        Assert.NotNull(first);
        Assert.Null(await stores.Sessions.LockUploadAsync(id, TimeSpan.FromMilliseconds(200), CancellationToken.None));
        Assert.NotNull(await stores.Sessions.LockUploadAsync(Ids.New(), TimeSpan.Zero, CancellationToken.None)); // another session is free
        var waiting = stores.Sessions.LockUploadAsync(id, TimeSpan.FromSeconds(10), CancellationToken.None);
        await first!.DisposeAsync();
        var second = await waiting;
        Assert.NotNull(second);
        await second!.DisposeAsync();
    }

    [SkippableFact]
    public async Task Expired_open_sessions_are_listed_for_collection()
    {
        await using var stores = await OpenAsync();
        var tenant = Unique("t");
        var stale = new UploadRecord(tenant, Ids.New(), "A", "a", "x", null, null, 0, UploadState.Open, Now, Now.AddMinutes(1));
        var fresh = stale with { Id = Ids.New(), ExpireTime = Now.AddDays(1) };
        var ended = stale with { Id = Ids.New(), State = UploadState.Cancelled };
        foreach (var upload in new[] { stale, fresh, ended })
        {
            await stores.Sessions.CreateUploadAsync(upload, CancellationToken.None);
        }
        var expired = await stores.Sessions.ListExpiredUploadsAsync(Now.AddHours(1), 1000, CancellationToken.None);
        Assert.Contains(expired, u => u.Id == stale.Id);
        Assert.DoesNotContain(expired, u => u.Id == fresh.Id || u.Id == ended.Id);
    }
}

public abstract class RenditionStoreConformance(IStorageProvider provider) : ConformanceSuite(provider)
{
    [SkippableFact]
    public async Task A_rendition_is_kept_once_under_its_key()
    {
        await using var stores = await OpenAsync();
        var tenant = Unique("t");
        var rendition = new RenditionRecord(tenant, "A", "D", "r1", ["A/D"], "application/pdf", 10, new string('b', 64), 2, 0, 0,
            new ProcessingReport(100, 10, ["Compressed."], []), Now);
        await stores.Renditions.PutRenditionAsync(rendition, CancellationToken.None);
        await stores.Renditions.PutRenditionAsync(rendition with { SizeBytes = 99 }, CancellationToken.None); // a concurrent identical request: the first stays
        var stored = await stores.Renditions.GetRenditionAsync(tenant, "A", "D", "r1", CancellationToken.None);
        Assert.Equal(10, stored!.SizeBytes);
        Assert.Equal(["Compressed."], stored.Report.Actions);
        Assert.Single(await stores.Renditions.ListRenditionsAsync(tenant, "A", "D", CancellationToken.None));
        Assert.Null(await stores.Renditions.GetRenditionAsync("someone-else", "A", "D", "r1", CancellationToken.None));
    }
}

public abstract class ReceiptStoreConformance(IStorageProvider provider) : ConformanceSuite(provider)
{
    [SkippableFact]
    public async Task Issuers_racing_on_one_application_never_fork_its_chain()
    {
        await using var stores = await OpenAsync();
        var tenant = Unique("t");
        await stores.Applications.CreateApplicationAsync(tenant, "A", "", Now, CancellationToken.None);
        var documents = new List<DocumentRecord>();
        for (var i = 0; i < 6; i++)
        {
            documents.Add(await AddDocumentAsync(stores, tenant, "A", $"d{i}.pdf"));
        }
        Assert.Equal(6, (await stores.Receipts.ListDocumentsWithoutReceiptAsync(tenant, "A", CancellationToken.None)).Count);

        // Four issuers, each appending receipts for the documents in order, as the receipt service does on each node.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(issuer => Task.Run(async () =>
        {
            foreach (var document in documents)
            {
                while (await stores.Receipts.GetReceiptAsync(tenant, "A", document.Id, CancellationToken.None) is null)
                {
                    var last = await stores.Receipts.GetLastReceiptAsync(tenant, "A", CancellationToken.None);
                    var sequence = (last?.Sequence ?? 0) + 1;
                    await stores.Receipts.TryAddReceiptAsync(new ReceiptRecord(tenant, "A", document.Id, sequence, $"jws-{issuer}-{sequence}",
                        $"sha-{document.Id}", last?.Sha256, "k", Now), CancellationToken.None);
                }
            }
        })));

        var chain = (await stores.Receipts.ListReceiptsAsync(tenant, "A", 100, null, CancellationToken.None)).Items;
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), chain.Select(r => r.Sequence));
        Assert.Equal(6, chain.Select(r => r.DocumentId).Distinct().Count());
        for (var i = 1; i < chain.Count; i++)
        {
            Assert.Equal(chain[i - 1].Sha256, chain[i].PreviousSha256);
        }
        Assert.Empty(await stores.Receipts.ListDocumentsWithoutReceiptAsync(tenant, "A", CancellationToken.None));
        var events = await stores.Events.ListApplicationEventsAsync(tenant, "A", CancellationToken.None);
        Assert.Equal(6, events.Count(e => e.Kind == ApplicationEventKind.ReceiptIssued));
        Assert.Equal(6, events.Count(e => e.Kind == ApplicationEventKind.DocumentReceived));
        Assert.Empty(await stores.Events.ListApplicationEventsAsync("someone-else", "A", CancellationToken.None));
    }
}

public abstract class BatchWorkStoreConformance(IStorageProvider provider) : ConformanceSuite(provider)
{
    [SkippableFact]
    public async Task Claimers_share_a_batch_without_taking_one_item_twice_and_each_outcome_counts_once()
    {
        await using var stores = await OpenAsync();
        var tenant = Unique("t");
        await stores.Applications.CreateApplicationAsync(tenant, "A", "", Now, CancellationToken.None);
        for (var i = 0; i < 40; i++)
        {
            await AddDocumentAsync(stores, tenant, "A", $"d{i}.pdf");
        }
        var batch = await stores.Batches.CreateBatchAsync(new BatchRecord(tenant, Ids.New(), "A", "verify", 0, false, Now, null, 0, 0, 0, 0), CancellationToken.None);
        Assert.Equal(40, batch.Total);

        var claimed = await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            var mine = new List<BatchItemRecord>();
            while ((await stores.Batches.ClaimItemsAsync(batch.Id, $"node-{worker}", 3, Now, Now.AddMinutes(1), CancellationToken.None)) is { Count: > 0 } items)
            {
                mine.AddRange(items);
                foreach (var item in items)
                {
                    await stores.Batches.CompleteItemAsync(item, (int)OutcomeOf(item), "", "[]", 1, CancellationToken.None);
                    await stores.Batches.CompleteItemAsync(item, 2, "again", "[]", 1, CancellationToken.None); // counted once
                }
            }
            return mine;
        })));
        var all = claimed.SelectMany(c => c).ToList();
        Assert.Equal(40, all.Count);
        Assert.Equal(40, all.Select(i => i.Sequence).Distinct().Count());
        Assert.All(all, i => Assert.Equal("application/pdf", i.MediaType));
        await stores.Batches.CompleteBatchIfDoneAsync(batch.Id, Now, CancellationToken.None);
        var done = (await stores.Batches.GetBatchAsync(tenant, batch.Id, CancellationToken.None))!;
        Assert.True(done.Completed);
        Assert.Equal(
            (all.Count(i => OutcomeOf(i) == BatchOutcome.Ok), all.Count(i => OutcomeOf(i) == BatchOutcome.Refused), all.Count(i => OutcomeOf(i) == BatchOutcome.Attention), 0),
            ((int)done.Ok, (int)done.Refused, (int)done.Attention, (int)done.Failed));
        Assert.Equal(40, done.Done);
        Assert.Null(await stores.Batches.GetBatchAsync("someone-else", batch.Id, CancellationToken.None));
    }

    private static BatchOutcome OutcomeOf(BatchItemRecord item) => (item.Sequence % 3) switch
    {
        0 => BatchOutcome.Ok,
        1 => BatchOutcome.Refused,
        _ => BatchOutcome.Attention,
    };

    [SkippableFact]
    public async Task A_lapsed_lease_is_handed_out_again_a_renewed_one_is_not_and_a_restarted_node_takes_its_own_back()
    {
        await using var stores = await OpenAsync();
        var tenant = Unique("t");
        await stores.Applications.CreateApplicationAsync(tenant, "A", "", Now, CancellationToken.None);
        for (var i = 0; i < 3; i++)
        {
            await AddDocumentAsync(stores, tenant, "A", $"d{i}.pdf");
        }
        var batch = await stores.Batches.CreateBatchAsync(new BatchRecord(tenant, Ids.New(), "", "verify", 0, false, Now, null, 0, 0, 0, 0), CancellationToken.None);
        var dead = await stores.Batches.ClaimItemsAsync(batch.Id, "dead", 1, Now, Now.AddSeconds(30), CancellationToken.None);
        var alive = await stores.Batches.ClaimItemsAsync(batch.Id, "alive", 1, Now, Now.AddSeconds(30), CancellationToken.None);
        var restarted = await stores.Batches.ClaimItemsAsync(batch.Id, "restarted", 1, Now, Now.AddSeconds(30), CancellationToken.None);
        await stores.Batches.RenewLeasesAsync("alive", Now.AddMinutes(5), CancellationToken.None);
        await stores.Batches.ReleaseLeasesAsync("restarted", CancellationToken.None);

        var later = await stores.Batches.ClaimItemsAsync(batch.Id, "other", 10, Now.AddMinutes(1), Now.AddMinutes(2), CancellationToken.None);
        Assert.Equal(new[] { dead[0].Sequence, restarted[0].Sequence }.Order(), later.Select(i => i.Sequence).Order());
        Assert.DoesNotContain(later, i => i.Sequence == alive[0].Sequence);
        Assert.Contains(await stores.Batches.ListRunningBatchesAsync(CancellationToken.None), b => b.Id == batch.Id);
        var (pending, leased) = await stores.Batches.CountOpenItemsAsync(CancellationToken.None);
        Assert.True(leased >= 3 && pending >= 0, $"{pending} pending, {leased} leased");
    }
}

public abstract class LimitStoreConformance(IStorageProvider provider) : ConformanceSuite(provider)
{
    [SkippableFact]
    public async Task A_scope_holds_at_most_its_limit_across_takers_and_a_released_slot_is_free_again()
    {
        await using var stores = await OpenAsync();
        var scope = Unique("uploads");
        var taken = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            stores.Limits.TryTakeSlotAsync(scope, $"s{i}", $"node-{i % 3}", 4, Now, Now.AddMinutes(1), CancellationToken.None)));
        Assert.Equal(4, taken.Count(t => t));
        var holder = Enumerable.Range(0, 10).First(i => taken[i]);
        await stores.Limits.ReleaseSlotAsync(scope, $"s{holder}", CancellationToken.None);
        Assert.True(await stores.Limits.TryTakeSlotAsync(scope, "again", "node-0", 4, Now, Now.AddMinutes(1), CancellationToken.None));
        Assert.False(await stores.Limits.TryTakeSlotAsync(scope, "one-more", "node-0", 4, Now, Now.AddMinutes(1), CancellationToken.None));
        Assert.True(await stores.Limits.TryTakeSlotAsync(Unique("other"), "x", "node-0", 4, Now, Now.AddMinutes(1), CancellationToken.None));
    }
}

public abstract class ReceiptKeyStoreConformance(IStorageProvider provider) : ConformanceSuite(provider)
{
    [SkippableFact]
    public async Task Nodes_offering_a_first_key_at_once_all_end_up_with_the_same_one()
    {
        await using var stores = await OpenAsync();
        Assert.Empty(await stores.ReceiptKeys.ListReceiptKeysAsync(CancellationToken.None));
        await Task.WhenAll(Enumerable.Range(0, 5).Select(i => stores.ReceiptKeys.AddFirstReceiptKeyAsync($"k{i}", $"PEM {i}", Now, CancellationToken.None)));
        var keys = await stores.ReceiptKeys.ListReceiptKeysAsync(CancellationToken.None);
        Assert.Single(keys);
        Assert.StartsWith("PEM ", keys[0]);
    }
}

public abstract class AccessTokenStoreConformance(IStorageProvider provider) : ConformanceSuite(provider)
{
    [SkippableFact]
    public async Task Tokens_are_revoked_once_per_tenant_and_every_node_sees_the_revoked_ids_until_they_expire()
    {
        await using var stores = await OpenAsync();
        var tenant = Unique("t");
        AccessTokenRecord Token(string id, string application, TimeSpan life) =>
            new(tenant, id, application, "upload read", Now, Now + life, null, "key:portal");
        var (kept, revoked, expired, sibling, elsewhere) = (Ids.New(), Ids.New(), Ids.New(), Ids.New(), Ids.New());
        await stores.AccessTokens.AddAccessTokenAsync(Token(kept, "A", TimeSpan.FromHours(1)), CancellationToken.None);
        await stores.AccessTokens.AddAccessTokenAsync(Token(revoked, "A", TimeSpan.FromHours(1)), CancellationToken.None);
        await stores.AccessTokens.AddAccessTokenAsync(Token(expired, "A", TimeSpan.FromMinutes(1)), CancellationToken.None);
        await stores.AccessTokens.AddAccessTokenAsync(Token(sibling, "B", TimeSpan.FromHours(1)), CancellationToken.None);
        await stores.AccessTokens.AddAccessTokenAsync(Token(elsewhere, "A", TimeSpan.FromHours(1)) with { Tenant = "someone-else" }, CancellationToken.None);

        Assert.Equal(Token(kept, "A", TimeSpan.FromHours(1)), await stores.AccessTokens.GetAccessTokenAsync(tenant, kept, CancellationToken.None));
        Assert.Null(await stores.AccessTokens.GetAccessTokenAsync("someone-else", kept, CancellationToken.None));
        Assert.Null(await stores.AccessTokens.RevokeAccessTokenAsync("someone-else", revoked, Now, CancellationToken.None));

        var first = await stores.AccessTokens.RevokeAccessTokenAsync(tenant, revoked, Now.AddMinutes(2), CancellationToken.None);
        var again = await stores.AccessTokens.RevokeAccessTokenAsync(tenant, revoked, Now.AddMinutes(3), CancellationToken.None);
        Assert.Equal(Now.AddMinutes(2), first!.RevokeTime);
        Assert.Equal(Now.AddMinutes(2), again!.RevokeTime); // a second revocation keeps the first time
        await stores.AccessTokens.RevokeAccessTokenAsync(tenant, expired, Now.AddSeconds(30), CancellationToken.None);

        // Revoking an application's tokens takes the ones still live and unrevoked, of that tenant and application only.
        var all = await stores.AccessTokens.RevokeApplicationAccessTokensAsync(tenant, "A", Now.AddMinutes(5), CancellationToken.None);
        Assert.Equal([kept], all.Select(t => t.Id));
        Assert.Null((await stores.AccessTokens.GetAccessTokenAsync(tenant, sibling, CancellationToken.None))!.RevokeTime);
        Assert.Null((await stores.AccessTokens.GetAccessTokenAsync("someone-else", elsewhere, CancellationToken.None))!.RevokeTime);

        var live = await stores.AccessTokens.ListRevokedAccessTokenIdsAsync(Now.AddMinutes(10), CancellationToken.None);
        Assert.Equal(new[] { kept, revoked }.Order(), live.Order()); // the expired one no longer needs remembering
        Assert.Empty(await stores.AccessTokens.ListRevokedAccessTokenIdsAsync(Now.AddHours(2), CancellationToken.None));
    }
}

public abstract class AuditEventStoreConformance(IStorageProvider provider) : ConformanceSuite(provider)
{
    [SkippableFact]
    public async Task Audit_events_appear_in_their_applications_timeline_with_who_and_which_token()
    {
        await using var stores = await OpenAsync();
        var tenant = Unique("t");
        await stores.Applications.CreateApplicationAsync(tenant, "A", "", Now, CancellationToken.None);
        await stores.Applications.CreateApplicationAsync(tenant, "B", "", Now, CancellationToken.None);
        await stores.Audit.AddAuditEventAsync(new AuditEventRecord(tenant, "A", Now.AddMinutes(1), ApplicationEventKind.AccessTokenCreated,
            "applications/A/accessTokens/x", "An applicant token was created.", "key:portal", ""), CancellationToken.None);
        await stores.Audit.AddAuditEventAsync(new AuditEventRecord(tenant, "A", Now.AddMinutes(2), ApplicationEventKind.DocumentRead,
            "applications/A/documents/d", "The document was downloaded.", "token", "x"), CancellationToken.None);
        await stores.Audit.AddAuditEventAsync(new AuditEventRecord(tenant, "B", Now.AddMinutes(3), ApplicationEventKind.DocumentRead,
            "applications/B/documents/e", "The document was downloaded.", "key:portal", ""), CancellationToken.None);

        var timeline = await stores.Events.ListApplicationEventsAsync(tenant, "A", CancellationToken.None);
        Assert.Equal([ApplicationEventKind.Created, ApplicationEventKind.AccessTokenCreated, ApplicationEventKind.DocumentRead], timeline.Select(e => e.Kind));
        var read = timeline[^1];
        Assert.Equal((Now.AddMinutes(2), "applications/A/documents/d", "The document was downloaded.", "token", "x"),
            (read.Time, read.Resource, read.Description, read.Actor, read.AccessToken));
        Assert.Empty(await stores.Events.ListApplicationEventsAsync("someone-else", "A", CancellationToken.None));
    }
}

public abstract class SigningKeyStoreConformance(IStorageProvider provider) : ConformanceSuite(provider)
{
    [SkippableFact]
    public async Task Nodes_offering_a_first_key_for_a_purpose_at_once_all_end_up_with_the_same_one()
    {
        await using var stores = await OpenAsync();
        Assert.Empty(await stores.SigningKeys.ListSigningKeysAsync("access-tokens", CancellationToken.None));
        await Task.WhenAll(Enumerable.Range(0, 5).Select(i => stores.SigningKeys.AddFirstSigningKeyAsync("access-tokens", $"PEM {i}", Now, CancellationToken.None)));
        await stores.SigningKeys.AddFirstSigningKeyAsync("other-purpose", "OTHER", Now, CancellationToken.None);
        var keys = await stores.SigningKeys.ListSigningKeysAsync("access-tokens", CancellationToken.None);
        Assert.Single(keys);
        Assert.StartsWith("PEM ", keys[0]);
        Assert.Equal(["OTHER"], await stores.SigningKeys.ListSigningKeysAsync("other-purpose", CancellationToken.None));
    }
}
