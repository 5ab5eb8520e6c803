using System.Text.Json;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;

namespace Sidecar.Jobs;

/// <summary>One job as persisted: the job exactly as scheduled (protobuf, base64) plus its progress.</summary>
public sealed record PersistedJob(string Name, string Job, DateTimeOffset CreatedAt, DateTimeOffset? NextAt, uint Triggered)
{
    public static PersistedJob From(Job job, DateTimeOffset createdAt, DateTimeOffset? nextAt, uint triggered) =>
        new(job.Name, Convert.ToBase64String(job.ToByteArray()), createdAt, nextAt, triggered);

    public Job ToJob() => Dapr.Client.Autogen.Grpc.v1.Job.Parser.ParseFrom(Convert.FromBase64String(Job));
}

/// <summary>
/// The jobs of one app in a JSON file under the data directory, replaced atomically (temp file + rename) so a
/// crash mid-write leaves the previous version; daprd keeps them in the Scheduler's etcd, which also survives restarts.
/// </summary>
public sealed class JobStore(string directory)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string FilePath { get; } = Path.Combine(directory, "jobs.json");

    public IReadOnlyList<PersistedJob> Load()
    {
        if (!File.Exists(FilePath))
        {
            return [];
        }

        using var stream = File.OpenRead(FilePath);
        try
        {
            return JsonSerializer.Deserialize<List<PersistedJob>>(stream, Json)
                ?? throw new InvalidDataException($"{FilePath} holds no job list");
        }
        catch (JsonException ex)
        {
            // Named, so that whoever starts the sidecar knows which file to repair or remove.
            throw new InvalidDataException($"{FilePath} is not a job list: {ex.Message}", ex);
        }
    }

    /// <remarks>Callers serialise writes (the scheduler holds its lock).</remarks>
    public void Save(IEnumerable<PersistedJob> jobs)
    {
        Directory.CreateDirectory(directory);
        var temp = FilePath + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, jobs.OrderBy(j => j.Name, StringComparer.Ordinal).ToList(), Json);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, FilePath, overwrite: true);
    }
}
