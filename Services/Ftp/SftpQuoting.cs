using System.Text;

namespace Edge.Services.Ftp;

/// <summary>
/// Arguments for sftp's batch command parser and for ssh's <c>-o</c> option parser. sftp splits a command line
/// on spaces, honours double quotes, unescapes <c>\"</c> and <c>\\</c> inside them and, inside quotes, treats
/// glob characters (<c>* ? [</c>) literally. Anything that could end a command (CR, LF, NUL) is refused here even
/// though <see cref="RemotePath"/> has refused it already.
/// </summary>
internal static class SftpQuoting
{
    /// <summary><paramref name="path"/> as one quoted sftp argument.</summary>
    public static string Argument(string path)
    {
        var quoted = new StringBuilder(path.Length + 2).Append('"');
        foreach (var c in path)
        {
            if (char.IsControl(c))
            {
                throw new ArgumentException($"an sftp argument cannot hold control characters: '{RemotePath.Shown(path)}'", nameof(path));
            }

            if (c is '"' or '\\')
            {
                quoted.Append('\\');
            }

            quoted.Append(c);
        }

        return quoted.Append('"').ToString();
    }

    /// <summary>
    /// A file path as the value of an ssh <c>-o Name=value</c> option: double-quoted (ssh splits option values on
    /// spaces) with <c>%</c> doubled (ssh expands <c>%h</c>-style tokens in file options). A path holding a double
    /// quote cannot be written this way: null.
    /// </summary>
    public static string? OptionPath(string path) =>
        path.Contains('"', StringComparison.Ordinal) || path.Any(char.IsControl)
            ? null
            : "\"" + path.Replace("%", "%%", StringComparison.Ordinal) + "\"";
}
