using System.Text;

namespace MiDpg.Research.Data;

/// <summary>
/// Streams a delimited text file with a header line (comma, tab, space or any single character), in
/// the dialect of RFC 4180: a field may be quoted with <c>"</c>, and then holds separators, line
/// breaks and doubled quotes (<c>""</c> = one quote). A UTF-8 byte-order mark is ignored, CRLF and LF
/// line ends are both accepted, empty lines are skipped and counted.
/// </summary>
/// <remarks>
/// The reader keeps one growing char buffer. <see cref="Read"/> first finds where the record ends
/// (a small state machine that knows about quotes, so a quoted line break does not end a record),
/// refilling the buffer if needed, and only then splits the record into fields in place. Fields are
/// returned as spans into the buffer; no string is made per row.
/// </remarks>
public sealed class DelimitedReader : IRecordReader
{
    enum State { FieldStart, Unquoted, Quoted, AfterQuote }

    readonly TextReader _text;
    readonly char _separator;
    char[] _buffer = new char[1 << 16];
    int _start, _end;            // unread chars are _buffer[_start.._end)
    bool _eof;
    long _linesConsumed;         // line breaks before _start
    int[] _fieldStart = new int[64], _fieldLength = new int[64];
    int _fieldCount;

    public string File { get; }
    public IReadOnlyList<string> Header { get; }
    public long Line { get; private set; }
    public int FieldCount => _fieldCount;
    public long BlankLines { get; private set; }

    /// <summary>Opens <paramref name="path"/> and reads its header. Throws <see cref="DataFormatException"/> for an empty file.</summary>
    public DelimitedReader(string path, char separator = ',')
        : this(OpenText(path), path, separator) { }

    /// <summary>
    /// Opens <paramref name="path"/> as text after checking its first bytes: a file holding NUL or other control
    /// bytes (binary, or UTF-16 without a byte-order mark) is a <see cref="DataFormatException"/> "not a text file",
    /// never a stream of raw bytes in an error message. UTF-8 (with or without BOM) and UTF-16/32 with a BOM are read.
    /// </summary>
    public static StreamReader OpenText(string path)
    {
        RecordReaders.RequireFile(path);
        CheckIsText(path);
        return new StreamReader(path, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
    }

    static void CheckIsText(string path)
    {
        var head = new byte[8192];
        int n;
        using (var stream = System.IO.File.OpenRead(path)) n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var bytes = head.AsSpan(0, n);
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
            return;   // a byte-order mark: the decoder knows the encoding
        if (bytes.StartsWith("PAR1"u8))
            throw new DataFormatException(path, 0, null, 0, "not a text file: it starts like a Parquet file; give it the .parquet extension to read it as Parquet.");
        for (int i = 0; i < bytes.Length; i++)
        {
            byte b = bytes[i];
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0C))
                throw new DataFormatException(path, 0, null, 0,
                    $"not a text file: byte {i + 1} is 0x{b:X2}{(b == 0 ? " (a binary file, or UTF-16 text without a byte-order mark)" : " (a control character: a binary or compressed file?)")}. " +
                    "Save it as UTF-8 delimited text, or as Parquet with the .parquet extension.");
        }
    }

    /// <summary>Reads from any text reader; <paramref name="name"/> is used in error messages.</summary>
    public DelimitedReader(TextReader text, string name, char separator = ',')
    {
        if (separator is '"' or '\r' or '\n')
            throw new ArgumentException($"The separator cannot be a quote or a line break; got {(int)separator}.", nameof(separator));
        _text = text;
        _separator = separator;
        File = name;
        if (!Read())
        {
            _text.Dispose();
            throw new DataFormatException(name, 0, null, 0, "the file is empty; expected a header line naming the columns.");
        }
        var header = new string[_fieldCount];
        for (int i = 0; i < _fieldCount; i++)
        {
            var f = Field(i);
            if (i == 0 && f.Length > 0 && f[0] == '\uFEFF') f = f[1..];   // a BOM the decoder did not remove
            header[i] = f.Trim().ToString();
        }
        Header = header;
        BlankLines = 0;   // blank lines before the header are not data
    }

    public ReadOnlySpan<char> Field(int i)
    {
        if ((uint)i >= (uint)_fieldCount)
            throw new ArgumentOutOfRangeException(nameof(i), $"Record at {File}:{Line} has {_fieldCount} fields; asked for field {i}.");
        return new ReadOnlySpan<char>(_buffer, _fieldStart[i], _fieldLength[i]);
    }

    public bool Read()
    {
        while (true)
        {
            int recordEnd = FindRecordEnd(out int nextStart, out int breaksInside);
            if (recordEnd < 0) return false;
            Line = _linesConsumed + 1;
            int s = _start;
            _start = nextStart;
            bool endedByBreak = nextStart > recordEnd;
            _linesConsumed += breaksInside + (endedByBreak ? 1 : 0);
            int e = recordEnd;
            if (e > s && _buffer[e - 1] == '\r') e--;
            if (e == s) { BlankLines++; continue; }
            Split(s, e);
            return true;
        }
    }

    /// <summary>Finds the end of the record starting at _start (index of its line break, or end of data).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    int FindRecordEnd(out int nextStart, out int breaksInside)
    {
        var state = State.FieldStart;
        int offset = 0;
        breaksInside = 0;
        while (true)
        {
            for (int i = _start + offset; i < _end; i++)
            {
                char c = _buffer[i];
                switch (state)
                {
                    case State.FieldStart:
                        if (c == '"') state = State.Quoted;
                        else if (c == '\n') { nextStart = i + 1; return i; }
                        else if (c != _separator) state = State.Unquoted;
                        break;
                    case State.Unquoted:
                        if (c == _separator) state = State.FieldStart;
                        else if (c == '\n') { nextStart = i + 1; return i; }
                        break;
                    case State.Quoted:
                        if (c == '"') state = State.AfterQuote;
                        else if (c == '\n') breaksInside++;
                        break;
                    case State.AfterQuote:
                        if (c == '"') state = State.Quoted;
                        else if (c == _separator) state = State.FieldStart;
                        else if (c == '\n') { nextStart = i + 1; return i; }
                        else if (c != '\r') state = State.Unquoted;   // reported by Split
                        break;
                }
            }
            offset = _end - _start;
            if (!Fill())
            {
                if (_end == _start) { nextStart = _end; return -1; }
                if (state == State.Quoted)
                    throw new DataFormatException(File, _linesConsumed + 1, null, 0, "a quoted field is not closed before the end of the file.");
                nextStart = _end;
                return _end;
            }
        }
    }

    /// <summary>Moves unread data to the front, grows the buffer when one record fills it, and reads more.</summary>
    bool Fill()
    {
        if (_eof) return false;
        int unread = _end - _start;
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, unread);
            _start = 0;
            _end = unread;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        int n = _text.Read(_buffer, _end, _buffer.Length - _end);
        if (n == 0) { _eof = true; return false; }
        _end += n;
        return true;
    }

    /// <summary>Splits the complete record _buffer[s..e) into fields, unquoting quoted fields in place.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    void Split(int s, int e)
    {
        _fieldCount = 0;
        int p = s;
        while (true)
        {
            if (_fieldCount == _fieldStart.Length)
            {
                Array.Resize(ref _fieldStart, _fieldCount * 2);
                Array.Resize(ref _fieldLength, _fieldCount * 2);
            }
            if (p < e && _buffer[p] == '"')
            {
                int w = p + 1, r = p + 1;
                while (true)
                {
                    if (r >= e)
                        throw new DataFormatException(File, Line, Column(_fieldCount), _fieldCount + 1, "a quoted field is not closed on this record.");
                    char c = _buffer[r];
                    if (c == '"')
                    {
                        if (r + 1 < e && _buffer[r + 1] == '"') { _buffer[w++] = '"'; r += 2; continue; }
                        r++;
                        break;
                    }
                    _buffer[w++] = c;
                    r++;
                }
                _fieldStart[_fieldCount] = p + 1;
                _fieldLength[_fieldCount] = w - (p + 1);
                _fieldCount++;
                if (r == e) return;
                if (_buffer[r] != _separator)
                    throw new DataFormatException(File, Line, Column(_fieldCount - 1), _fieldCount,
                        $"unexpected character '{_buffer[r]}' after the closing quote; a quoted field must be followed by the separator or the line end.");
                p = r + 1;
            }
            else
            {
                int next = Array.IndexOf(_buffer, _separator, p, e - p);
                int stop = next < 0 ? e : next;
                _fieldStart[_fieldCount] = p;
                _fieldLength[_fieldCount] = stop - p;
                _fieldCount++;
                if (next < 0) return;
                p = next + 1;
            }
        }
    }

    string? Column(int index) => Header is not null && index < Header.Count ? Header[index] : null;

    public void Dispose() => _text.Dispose();
}
