using MiDpg.Research.Data;

namespace MiDpg.Research.Tests.Data;

public class DelimitedReaderTests
{
    static List<(long Line, string[] Fields)> ReadAll(string text, char separator = ',')
    {
        using var reader = new DelimitedReader(new StringReader(text), "inline", separator);
        var rows = new List<(long, string[])>();
        while (reader.Read())
            rows.Add((reader.Line, Enumerable.Range(0, reader.FieldCount).Select(i => reader.Field(i).ToString()).ToArray()));
        return rows;
    }

    [Theory]
    [InlineData(',')]
    [InlineData('\t')]
    [InlineData(' ')]
    [InlineData(';')]
    public void SplitsOnTheGivenSeparator(char sep)
    {
        var text = $"a{sep}b{sep}c\n1{sep}2{sep}3\n4{sep}{sep}6\n";
        using var reader = new DelimitedReader(new StringReader(text), "inline", sep);
        Assert.Equal(["a", "b", "c"], reader.Header);
        var rows = ReadAll(text, sep);
        Assert.Equal(["1", "2", "3"], rows[0].Fields);
        Assert.Equal(["4", "", "6"], rows[1].Fields);
    }

    [Fact]
    public void QuotedFieldsKeepSeparatorsQuotesAndLineBreaks()
    {
        var text = "a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n\"\",plain,\"end\"\nlast,row,here";
        var rows = ReadAll(text);
        Assert.Equal(["x, y", "say \"hi\"", "two\nlines"], rows[0].Fields);
        Assert.Equal(2, rows[0].Line);
        Assert.Equal(["", "plain", "end"], rows[1].Fields);
        Assert.Equal(4, rows[1].Line);           // the quoted line break moved it one line down
        Assert.Equal(["last", "row", "here"], rows[2].Fields);   // no final newline
        Assert.Equal(5, rows[2].Line);
    }

    [Fact]
    public void CrLfAndBomAreInvisible()
    {
        var path = Path.Combine(TestData.TempFolder(), "bom_crlf.csv");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "id,name\r\n1,\"a\"\r\n2,b\r\n"u8.ToArray()]);
        using var reader = new DelimitedReader(path);
        Assert.Equal(["id", "name"], reader.Header);
        var values = new List<string>();
        while (reader.Read()) values.Add(reader.Field(0).ToString() + "|" + reader.Field(1).ToString());
        Assert.Equal(["1|a", "2|b"], values);
    }

    [Fact]
    public void BlankLinesAreSkippedAndCounted()
    {
        using var reader = new DelimitedReader(new StringReader("a,b\n\n1,2\n\r\n\n3,4\n\n"), "inline");
        var lines = new List<long>();
        while (reader.Read()) lines.Add(reader.Line);
        Assert.Equal([3L, 6L], lines);
        Assert.Equal(4, reader.BlankLines);
    }

    [Fact]
    public void RecordsLongerThanTheBufferAreReadWhole()
    {
        // The reader starts with a 64 k char buffer; a record three times that size must survive refills.
        var big = new string('x', 200_000);
        var quoted = "q,\"" + new string('y', 100_000) + "\"";
        var rows = ReadAll($"a,b\n{big},1\n{quoted}\nend,2\n");
        Assert.Equal(big, rows[0].Fields[0]);
        Assert.Equal("1", rows[0].Fields[1]);
        Assert.Equal(100_000, rows[1].Fields[1].Length);
        Assert.Equal(["end", "2"], rows[2].Fields);
    }

    [Fact]
    public void ManyRowsAcrossBufferBoundariesMatchTheFrameworkParser()
    {
        var folder = TestData.TempFolder();
        var path = Path.Combine(folder, "many.csv");
        var rng = new SeededRandom(5);
        using (var w = new StreamWriter(path))
        {
            w.Write("id,text,value\n");
            for (int i = 0; i < 20_000; i++)
            {
                string text = rng.NextInt(4) switch { 0 => "plain", 1 => "\"with, comma\"", 2 => "\"with \"\"quote\"\"\"", _ => "" };
                w.Write($"{i},{text},{rng.NextInt(1000)}{(rng.NextInt(2) == 0 ? "\r\n" : "\n")}");
            }
        }
        var (_, expected) = TestData.ParseWithFramework(path, ",");
        using var reader = new DelimitedReader(path);
        int r = 0;
        while (reader.Read())
        {
            for (int f = 0; f < 3; f++) Assert.Equal(expected[r][f], reader.Field(f).ToString());
            r++;
        }
        Assert.Equal(expected.Count, r);
    }
}
