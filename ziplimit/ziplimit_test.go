package ziplimit

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"testing"
)

type entry struct {
	name string
	data []byte // written deflated; nil for an empty stored entry
	// raw, when set, is written as is under the declared sizes
	raw                      []byte
	packed, unpacked, crc32v uint64
}

func archive(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	z.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestCompression) })
	for _, e := range entries {
		if e.raw != nil {
			w, err := z.CreateRaw(&zip.FileHeader{Name: e.name, Method: zip.Deflate, CompressedSize64: e.packed, UncompressedSize64: e.unpacked, CRC32: uint32(e.crc32v)})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(e.raw)
			continue
		}
		method := zip.Deflate
		if e.data == nil {
			method = zip.Store // an empty entry: no compressor to set up
		}
		w, err := z.CreateHeader(&zip.FileHeader{Name: e.name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestOpen(t *testing.T) {
	zeros := make([]byte, 3<<20) // packs about a thousand times
	text := []byte(strings.Repeat("Приказ о зачислении № 5. ", 100))
	many := make([]entry, 70_000) // more than 65535: zip.Writer adds zip64 records
	for i := range many {
		many[i] = entry{name: fmt.Sprintf("e%d", i)}
	}
	cases := []struct {
		name string
		data []byte
		lim  Limits
		what string // "" means it opens
	}{
		{"ordinary", archive(t, entry{name: "word/document.xml", data: text}), Limits{}, ""},
		{"zeros below the ratio floor", archive(t, entry{name: "a", data: zeros[:512<<10]}), Limits{}, ""},
		{"zeros", archive(t, entry{name: "word/document.xml", data: zeros}), Limits{}, "ratio"},
		{"one large entry", archive(t, entry{name: "big.xml", data: text}), Limits{MaxEntry: 1000}, "size"},
		{"large together", archive(t, entry{name: "a", data: text}, entry{name: "b", data: text}), Limits{MaxEntry: 5000, MaxTotal: 6000}, "total size"},
		{"declared huge", archive(t, entry{name: "xl/sharedStrings.xml", raw: []byte{1, 2, 3}, packed: 3, unpacked: 1 << 40}), Limits{}, "size"},
		{"too many entries", archive(t, many...), Limits{}, "entries"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			zr, err := Open(c.data, c.lim)
			if err == nil {
				err = Check(zr, c.lim)
			}
			if c.what == "" {
				if err != nil || zr == nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var le *Error
			if !errors.As(err, &le) || le.What != c.what || !errors.Is(err, ErrLimit) {
				t.Fatalf("err = %v, want the %s limit", err, c.what)
			}
			if le.Entry == "" && c.what != "entries" && c.what != "total size" {
				t.Errorf("error does not name the entry: %v", err)
			}
		})
	}
}

// TestDeclaredSizeHolds checks the premise of the package: an entry that
// inflates past its declared size fails while reading, so checking the
// declared sizes is enough.
func TestDeclaredSizeHolds(t *testing.T) {
	var packed bytes.Buffer
	fw, _ := flate.NewWriter(&packed, flate.BestCompression)
	payload := make([]byte, 10<<20)
	fw.Write(payload)
	fw.Close()
	data := archive(t, entry{name: "word/document.xml", raw: packed.Bytes(), packed: uint64(packed.Len()), unpacked: 1000, crc32v: uint64(crc32.ChecksumIEEE(payload))})
	zr, err := Open(data, Limits{})
	if err == nil {
		err = Check(zr, Limits{})
	}
	if err != nil {
		t.Fatalf("a small declared size must pass the check: %v", err)
	}
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, rc)
	if err == nil || n > 1000 {
		t.Fatalf("read %d bytes of an entry declared as 1000 without an error (%v)", n, err)
	}
}

func TestNotZip(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("PK\x03\x04 no archive"), []byte("PK\x05\x06" + strings.Repeat("\xff", 18))} {
		if _, err := Open(data, Limits{}); !errors.Is(err, ErrNotZip) {
			t.Errorf("%q: err = %v, want ErrNotZip", data, err)
		}
	}
}

func TestBytes(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{{12, "12 bytes"}, {306 << 10, "306 KB"}, {3 << 19, "1.5 MB"}, {771 << 20, "771 MB"}, {5 << 29, "2.5 GB"}} {
		if got := Bytes(c.n); got != c.want {
			t.Errorf("Bytes(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

// FuzzOpen: any bytes give a reader or an error, never a panic.
func FuzzOpen(f *testing.F) {
	f.Add(archive(f, entry{name: "content.xml", data: []byte("<office:text>Устав</office:text>")}))
	f.Add(archive(f, entry{name: "a", raw: []byte{1}, packed: 1, unpacked: 1 << 40}))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\xff", 18)))
	f.Add([]byte("PK\x06\x07" + strings.Repeat("\x00", 16) + "PK\x05\x06" + strings.Repeat("\xff", 18)))
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := Limits{MaxEntries: 100, MaxEntry: 1 << 20, MaxTotal: 2 << 20}
		zr, err := Open(data, lim)
		if err != nil {
			return
		}
		if len(zr.File) > 100 {
			t.Fatalf("entries not limited: %d", len(zr.File))
		}
		for _, f := range zr.File {
			if CheckEntry(f, lim) == nil && f.UncompressedSize64 > 1<<20 {
				t.Fatalf("entry %s of %d bytes passed", f.Name, f.UncompressedSize64)
			}
		}
		if Check(zr, lim) != nil {
			return
		}
		var total uint64
		for _, f := range zr.File {
			total += f.UncompressedSize64
		}
		if len(zr.File) > 100 || total > 2<<20 {
			t.Fatalf("limits not held: %d entries, %d bytes", len(zr.File), total)
		}
	})
}
