using System.Text.RegularExpressions;

namespace Edge.Services.Ftp;

/// <summary>
/// Reads the file names out of a long directory listing: the Unix <c>ls -l</c> form that FTP servers answer to
/// LIST and that <c>sftp</c> prints for <c>ls -l</c> (<c>-rw-r--r-- 1 owner group 42 Jan 02 13:45 name</c>), and
/// the DOS form of IIS (<c>01-02-25  01:45PM  42 name</c>). Only regular files are kept (no folders, links or
/// devices), names starting with a dot are left out (servers hide them by default), and the names come back
/// sorted ordinally without duplicates.
/// </summary>
internal static partial class DirectoryListing
{
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    public static IReadOnlyList<string> FileNames(IEnumerable<string> lines)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var raw in lines)
        {
            var line = raw.TrimEnd('\r', '\n');
            if (FileName(line) is { } name && name.Length > 0 && name[0] != '.')
            {
                names.Add(name);
            }
        }

        return [.. names];
    }

    /// <summary>The name of the regular file <paramref name="line"/> describes, or null (folder, link, header, noise).</summary>
    public static string? FileName(string line)
    {
        if (line.Length == 0)
        {
            return null;
        }

        if (Dos().Match(line) is { Success: true } dos)
        {
            return dos.Groups["size"].Value == "<DIR>" ? null : BaseName(dos.Groups["name"].Value);
        }

        // Unix: a type letter then nine permission letters; only '-' is a regular file.
        if (line.Length < 10 || line[0] != '-' || !Permissions().IsMatch(line.AsSpan(0, 10)))
        {
            return null;
        }

        var tokens = Tokens(line);
        for (var i = 3; i + 3 < tokens.Count; i++)
        {
            var (start, length) = tokens[i];
            if (Array.IndexOf(Months, line.Substring(start, length)) >= 0 &&
                tokens[i + 1].Length <= 2 && IsDigits(line, tokens[i + 1]) &&
                YearOrTime().IsMatch(line.AsSpan(tokens[i + 2].Start, tokens[i + 2].Length)))
            {
                // The name is everything after the date and one space (names may hold spaces).
                var nameStart = tokens[i + 2].Start + tokens[i + 2].Length + 1;
                return nameStart < line.Length ? BaseName(line[nameStart..]) : null;
            }
        }

        return null;
    }

    // sftp prints the listed folder in front of each name ("./dir/name"); names never contain '/'.
    private static string BaseName(string name) => name[(name.LastIndexOf('/') + 1)..];

    private static bool IsDigits(string line, (int Start, int Length) token)
    {
        for (var i = token.Start; i < token.Start + token.Length; i++)
        {
            if (!char.IsAsciiDigit(line[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static List<(int Start, int Length)> Tokens(string line)
    {
        var tokens = new List<(int, int)>();
        var i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && line[i] == ' ')
            {
                i++;
            }

            var start = i;
            while (i < line.Length && line[i] != ' ')
            {
                i++;
            }

            if (i > start)
            {
                tokens.Add((start, i - start));
            }
        }

        return tokens;
    }

    [GeneratedRegex("^[-dlbcps][-rwxsStTl]{9}$")]
    private static partial Regex Permissions();

    [GeneratedRegex(@"^(\d{1,2}:\d{2}|\d{4})$")]
    private static partial Regex YearOrTime();

    [GeneratedRegex(@"^\d{2}-\d{2}-\d{2,4}\s+\d{1,2}:\d{2}(AM|PM)?\s+(?<size><DIR>|\d+)\s(?<name>.+)$")]
    private static partial Regex Dos();
}
