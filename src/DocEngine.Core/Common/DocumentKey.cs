namespace DocEngine.Core.Common;

/// <summary>A document's identity within a tenant.</summary>
public sealed record DocumentKey(string ApplicationId, string DocumentId);
