using System.Text;
using System.Text.Json;

namespace MiDpg.Research.Data;

/// <summary>
/// Where each value of a JSON document starts (1-based line and character column), by JSON path:
/// <c>label</c>, <c>label.rule</c>, <c>files[0].path</c>. For an object member the position is that of its
/// key, which is where a reader looks. <see cref="SchemaFile"/> uses it to name the place of every error.
/// </summary>
internal sealed class JsonPositions
{
    readonly Dictionary<string, (long Line, long Column)> _at = new(StringComparer.Ordinal);

    public static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Walks <paramref name="utf8"/> once (it must be valid JSON: parse it first).</summary>
    public JsonPositions(ReadOnlySpan<byte> utf8)
    {
        var lineStarts = new List<int> { 0 };
        for (int i = 0; i < utf8.Length; i++) if (utf8[i] == (byte)'\n') lineStarts.Add(i + 1);
        var bytes = utf8.ToArray();
        (long, long) Where(long offset)
        {
            int line = lineStarts.BinarySearch((int)offset);
            if (line < 0) line = ~line - 1;
            int start = lineStarts[line];
            return (line + 1, Encoding.UTF8.GetCharCount(bytes, start, (int)offset - start) + 1);
        }

        // One frame per open container: its path, whether it is an array, the next element index, the pending member name.
        var stack = new Stack<(string Path, bool Array, int Next)>();
        string? member = null;
        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        string PathOfValue()
        {
            if (stack.Count == 0) return "";
            var (path, isArray, next) = stack.Pop();
            string p;
            if (isArray) { p = $"{path}[{next}]"; stack.Push((path, true, next + 1)); }
            else { p = path.Length == 0 ? member! : $"{path}.{member}"; stack.Push((path, false, next)); }
            return p;
        }
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    member = reader.GetString();
                    var parent = stack.Peek().Path;
                    _at.TryAdd(parent.Length == 0 ? member! : $"{parent}.{member}", Where(reader.TokenStartIndex));
                    break;
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                {
                    bool inArray = stack.Count > 0 && stack.Peek().Array;
                    var path = PathOfValue();
                    if (inArray || stack.Count == 0) _at.TryAdd(path, Where(reader.TokenStartIndex));
                    stack.Push((path, reader.TokenType == JsonTokenType.StartArray, 0));
                    break;
                }
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    stack.Pop();
                    break;
                default:
                {
                    bool inArray = stack.Count > 0 && stack.Peek().Array;
                    var path = PathOfValue();
                    if (inArray) _at.TryAdd(path, Where(reader.TokenStartIndex));
                    break;
                }
            }
        }
    }

    /// <summary>Position of <paramref name="path"/>, or of its nearest enclosing value that has one; (0, 0) when none.</summary>
    public (long Line, long Column) Of(string path)
    {
        while (true)
        {
            if (_at.TryGetValue(path, out var p)) return p;
            if (path.Length == 0) return (0, 0);
            int cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
            path = cut < 0 ? "" : path[..cut];
        }
    }
}
