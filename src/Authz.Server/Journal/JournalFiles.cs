using System.Globalization;

namespace Authz.Server.Journal;

/// <summary>
/// The decision log's files: <c>decisions-&lt;n&gt;.jsonl</c> in one directory, numbered upward across restarts. A file is
/// closed before a line would take it past the size limit (a line larger than the limit gets a file of its own), and
/// opening a new one deletes the oldest beyond the count limit. Used by the journal's single writer only.
/// </summary>
internal sealed class JournalFiles(string directory, long maxFileBytes, int maxFiles, Func<string, Stream> open, ILogger logger) : IAsyncDisposable
{
    private const string Prefix = "decisions-";
    private const string Extension = ".jsonl";

    private Stream? _current;
    private long _length;
    private long _sequence;

    /// <summary>Opens a file with exclusive write access, readable by others while it is written.</summary>
    public static Stream OpenFile(string path) =>
        new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 64 * 1024, useAsync: true);

    /// <summary>Creates the directory and continues after the highest numbered file already in it.</summary>
    public void Initialize()
    {
        Directory.CreateDirectory(directory);
        _sequence = Existing().Select(f => f.Sequence).DefaultIfEmpty(0).Max();
    }

    /// <summary>Appends one complete line, starting a new file first when it would not fit.</summary>
    public async ValueTask AppendAsync(ReadOnlyMemory<byte> line)
    {
        if (_current is not null && _length > 0 && _length + line.Length > maxFileBytes)
        {
            await CloseAsync();
        }

        if (_current is null)
        {
            _sequence++;
            _current = open(PathOf(_sequence));
            _length = 0;
            DeleteBeyondLimit();
        }

        try
        {
            await _current.WriteAsync(line);
            _length += line.Length;
        }
        catch
        {
            // A failed file is abandoned; the next line starts a new one.
            await AbandonAsync();
            throw;
        }
    }

    /// <summary>Hands what was appended to the operating system, so readers see whole lines.</summary>
    public async ValueTask FlushAsync()
    {
        if (_current is null)
        {
            return;
        }

        try
        {
            await _current.FlushAsync();
        }
        catch
        {
            await AbandonAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => CloseAsync();

    private async ValueTask CloseAsync()
    {
        if (_current is { } current)
        {
            _current = null;
            await current.DisposeAsync();
        }
    }

    private async ValueTask AbandonAsync()
    {
        try
        {
            await CloseAsync();
        }
        catch (IOException)
        {
            // Closing flushes, which fails for the same reason as the write did.
        }
    }

    private void DeleteBeyondLimit()
    {
        foreach (var (path, sequence) in Existing())
        {
            if (sequence <= _sequence - maxFiles)
            {
                try
                {
                    File.Delete(path);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Retention is retried at the next rotation; writing goes on.
                    JournalLog.DeleteFailed(logger, ex, path);
                }
            }
        }
    }

    private IEnumerable<(string Path, long Sequence)> Existing() =>
        Directory.EnumerateFiles(directory, Prefix + "*" + Extension)
            .Select(path => (path, Name: Path.GetFileName(path)))
            .Select(f => (f.path, Ok: long.TryParse(f.Name.AsSpan(Prefix.Length, f.Name.Length - Prefix.Length - Extension.Length),
                NumberStyles.None, CultureInfo.InvariantCulture, out var n), n))
            .Where(f => f.Ok)
            .Select(f => (f.path, f.n));

    private string PathOf(long sequence) =>
        Path.Combine(directory, Prefix + sequence.ToString("D8", CultureInfo.InvariantCulture) + Extension);
}
