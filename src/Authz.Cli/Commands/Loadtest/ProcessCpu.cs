using System.Diagnostics;
using System.Globalization;

namespace Authz.Cli.Commands.Loadtest;

/// <summary>
/// CPU time of this process and of local server processes. A server is found by the port it listens on: the socket
/// inode from <c>/proc/net/tcp</c> and <c>/proc/net/tcp6</c>, then the process holding that inode under
/// <c>/proc/*/fd</c> (Linux only; elsewhere give <c>--server-pid</c>).
/// </summary>
public static class ProcessCpu
{
    /// <summary>CPU time (user + system, all threads) this process has used so far.</summary>
    public static TimeSpan Current()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    /// <summary>CPU time a process has used so far, or null when it is gone or cannot be read.</summary>
    public static TimeSpan? Of(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited ? null : process.TotalProcessorTime;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>The summed CPU time of several processes, or null when any of them cannot be read.</summary>
    public static TimeSpan? OfAll(IReadOnlyCollection<int> pids)
    {
        if (pids.Count == 0)
            return null;
        var total = TimeSpan.Zero;
        foreach (var pid in pids)
        {
            if (Of(pid) is not { } cpu)
                return null;
            total += cpu;
        }
        return total;
    }

    /// <summary>The id of the process listening on TCP <paramref name="port"/> on this machine, or null when none is found.</summary>
    public static int? FindListeningProcess(int port, string procRoot = "/proc")
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in new[] { "net/tcp", "net/tcp6" })
        {
            var path = Path.Combine(procRoot, table);
            if (!File.Exists(path))
                continue;
            string[] lines;
            try
            {
                lines = File.ReadAllLines(path);
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            inodes.UnionWith(ListeningInodes(lines, port));
        }
        if (inodes.Count == 0)
            return null;

        IEnumerable<string> processes;
        try
        {
            processes = Directory.EnumerateDirectories(procRoot);
        }
        catch (IOException)
        {
            return null;
        }
        foreach (var dir in processes)
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                continue;
            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(dir, "fd")))
                {
                    var target = new FileInfo(fd).LinkTarget;
                    if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal)
                        && inodes.Contains(target["socket:[".Length..^1]))
                        return pid;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process ended, or its descriptors are not ours to read.
            }
        }
        return null;
    }

    /// <summary>The socket inodes in LISTEN state (st 0A) on <paramref name="port"/> in the lines of a /proc/net/tcp table.</summary>
    public static IEnumerable<string> ListeningInodes(IEnumerable<string> lines, int port)
    {
        var hexPort = port.ToString("X4", CultureInfo.InvariantCulture);
        foreach (var line in lines.Skip(1))
        {
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 10)
                continue;
            var local = fields[1];
            var colon = local.LastIndexOf(':');
            if (colon < 0 || !string.Equals(local[(colon + 1)..], hexPort, StringComparison.OrdinalIgnoreCase) || fields[3] != "0A")
                continue;
            if (fields[9] != "0")
                yield return fields[9];
        }
    }
}
