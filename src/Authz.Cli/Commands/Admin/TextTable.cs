using System.Text;

namespace Authz.Cli.Commands.Admin;

/// <summary>One column of a list's text table: a header and how to read the cell from an item.</summary>
public sealed record Column<T>(string Header, Func<T, string> Cell);

/// <summary>Prints items as a table with a header row and space-padded columns; no trailing spaces.</summary>
public static class TextTable
{
    public static string Format<T>(IReadOnlyList<T> items, IReadOnlyList<Column<T>> columns)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(columns);
        var rows = new List<string[]> { columns.Select(c => c.Header).ToArray() };
        rows.AddRange(items.Select(item => columns.Select(c => c.Cell(item)).ToArray()));
        var widths = columns.Select((_, i) => rows.Max(r => r[i].Length)).ToArray();
        var text = new StringBuilder();
        var line = new StringBuilder();
        foreach (var row in rows)
        {
            line.Clear();
            for (var i = 0; i < row.Length; i++)
                line.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i] + 2));
            text.AppendLine(line.ToString().TrimEnd());
        }
        return text.ToString();
    }
}
