using System.ComponentModel.DataAnnotations;

namespace Authz.Server.Journal;

/// <summary>Which checks the decision log records.</summary>
public enum DecisionJournalMode
{
    /// <summary>None: the check path pays one branch.</summary>
    Off,

    /// <summary>A random <see cref="DecisionJournalOptions.SampleRate"/> of the checks.</summary>
    Sampled,

    /// <summary>Every check.</summary>
    Full,
}

/// <summary>The decision log (<c>Authz:DecisionLog</c>): JSON Lines files of answered checks, written off the check path.</summary>
public sealed class DecisionJournalOptions
{
    public const string SectionName = "Authz:DecisionLog";

    /// <summary>Off (default), Sampled or Full.</summary>
    public DecisionJournalMode Mode { get; set; } = DecisionJournalMode.Off;

    /// <summary>The share of checks recorded in Sampled mode, 0 to 1. Default 0.01.</summary>
    [Range(0.0, 1.0)]
    public double SampleRate { get; set; } = 0.01;

    /// <summary>Where the files go. Default <c>&lt;Authz:Server:DataDirectory&gt;/decisions</c>.</summary>
    public string? Directory { get; set; }

    /// <summary>A file is closed and a new one started before it would grow past this size. Default 64 MiB.</summary>
    [Range(4096, long.MaxValue)]
    public long MaxFileBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>How many files are kept, the one being written included; older ones are deleted. Default 10.</summary>
    [Range(1, 100_000)]
    public int MaxFiles { get; set; } = 10;

    /// <summary>Records waiting for the writer; when it is full, further records are dropped and counted. Default 10,000.</summary>
    [Range(1, 10_000_000)]
    public int QueueCapacity { get; set; } = 10_000;
}
