using System.Buffers.Binary;
using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace DocEngine.Core.Workers;

/// <summary>A job as it crosses the pipe: its type and its JSON.</summary>
internal sealed record WorkerRequest(long Id, string Type, JsonElement Job);

/// <summary>
/// A worker's answer: a result, a refusal (a <see cref="DocEngineException"/> with its kind, reason, sentence, field and
/// details), or a failure (any other exception: its type and first line). Id 0 with <see cref="Ready"/> is the
/// worker saying it has started.
/// </summary>
internal sealed record WorkerReply(long Id, JsonElement? Result = null, WorkerRefusal? Refusal = null, string? Failure = null, bool Ready = false);

/// <summary>A <see cref="DocEngineException"/> as data.</summary>
internal sealed record WorkerRefusal(ErrorKind Kind, string Reason, string Message, string? Field, Dictionary<string, string> Details)
{
    public static WorkerRefusal From(DocEngineException e) => new(e.Kind, e.Reason, e.Message, e.Field, e.Details.ToDictionary());

    public DocEngineException ToException() => new(Kind, Reason, Message) { Field = Field, Details = Details };
}

/// <summary>An exception of the worker that is not a refusal: a bug, reported with its type and first line.</summary>
public sealed class WorkerJobException(string message) : Exception(message);

/// <summary>
/// The wire format between a node and its workers: frames of a 4-byte little-endian length and UTF-8 JSON, one request
/// and one reply at a time. Jobs and results are plain records; members with non-public setters and get-only lists
/// (reports built step by step) are filled too, so a result reads the same on both sides.
/// </summary>
internal static class WorkerProtocol
{
    /// <summary>Largest frame accepted: results carry facts and file names, never documents.</summary>
    private const int MaxFrame = 64 << 20;

    public static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter() },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { FillNonPublicMembers } },
        MaxDepth = 256,
    };

    /// <summary>Options as the wire carries them: what tells a worker's shared engines apart (<see cref="WorkerContext"/>).</summary>
    public static string Describe(object options) => JsonSerializer.Serialize(options, options.GetType(), Json);

    public static async Task WriteAsync<T>(Stream stream, T message, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(message, Json);
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes one frame, blocking (the worker's own loop, which does one thing at a time).</summary>
    public static void Write<T>(Stream stream, T message)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(message, Json);
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        stream.Write(frame);
        stream.Flush();
    }

    /// <summary>The next frame, blocking, or null at the end of the stream (the worker's own loop).</summary>
    public static T? Read<T>(Stream stream) where T : class
    {
        var header = new byte[4];
        if (stream.ReadAtLeast(header, 4, throwOnEndOfStream: false) < 4)
        {
            return null;
        }
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length is < 0 or > MaxFrame)
        {
            throw new InvalidDataException($"A worker frame of {length} bytes is outside the protocol.");
        }
        var body = new byte[length];
        return stream.ReadAtLeast(body, length, throwOnEndOfStream: false) < length ? null : JsonSerializer.Deserialize<T>(body, Json);
    }

    /// <summary>The next frame, or null at the end of the stream.</summary>
    public static async Task<T?> ReadAsync<T>(Stream stream, CancellationToken cancellationToken) where T : class
    {
        var header = new byte[4];
        if (!await FillAsync(stream, header, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length is < 0 or > MaxFrame)
        {
            throw new InvalidDataException($"A worker frame of {length} bytes is outside the protocol.");
        }
        var body = new byte[length];
        if (!await FillAsync(stream, body, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        return JsonSerializer.Deserialize<T>(body, Json);
    }

    private static async Task<bool> FillAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }
            filled += read;
        }
        return true;
    }

    /// <summary>The job type named in a request, only if it is a <see cref="WorkerJob"/> of DocEngine's own.</summary>
    public static Type JobType(string name) => JobTypes.GetOrAdd(name, FindJobType);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Type> JobTypes = new(StringComparer.Ordinal);

    private static Type FindJobType(string name)
    {
        var type = Type.GetType(name, throwOnError: false);
        if (type is null || !typeof(WorkerJob).IsAssignableFrom(type) || type.IsAbstract
            || type.Assembly.GetName().Name?.StartsWith("DocEngine.", StringComparison.Ordinal) != true)
        {
            throw new InvalidDataException($"'{name}' is not a worker job.");
        }
        return type;
    }

    /// <summary>Lets results whose members have internal setters, or get-only lists, come back whole.</summary>
    private static void FillNonPublicMembers(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }
        var parameterless = info.Type.GetConstructor(Type.EmptyTypes) is not null;
        foreach (var property in info.Properties)
        {
            if (property.Set is not null || property.AttributeProvider is not PropertyInfo clr)
            {
                continue;
            }
            if (clr.GetSetMethod(nonPublic: true) is { } setter)
            {
                property.Set = (target, value) => setter.Invoke(target, [value]);
            }
            else if (parameterless && typeof(IList).IsAssignableFrom(clr.PropertyType))
            {
                property.ObjectCreationHandling = JsonObjectCreationHandling.Populate;
            }
        }
    }
}
