package attachtext

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// part is one entry of a test archive: written deflated from data, or,
// when raw is set, stored as the given deflated bytes under the declared
// unpacked size (an archive that lies about its sizes).
type part struct {
	name     string
	data     []byte
	raw      []byte
	unpacked uint64
}

func zipOf(t testing.TB, parts ...part) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	z.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestCompression) })
	for _, p := range parts {
		var w io.Writer
		var err error
		switch {
		case p.raw != nil:
			w, err = z.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Deflate, CompressedSize64: uint64(len(p.raw)), UncompressedSize64: p.unpacked})
			if err == nil {
				_, err = w.Write(p.raw)
			}
		case p.data == nil:
			_, err = z.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Store})
		default:
			w, err = z.Create(p.name)
			if err == nil {
				_, err = w.Write(p.data)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// nested is a document.xml of n nested runs around one word: it packs
// about a thousand times, and a decoder that keeps a stack of open
// elements grows with it.
func nested(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>`)
	b.WriteString(strings.Repeat("<w:r>", n))
	b.WriteString("<w:t>бомба</w:t>")
	b.WriteString(strings.Repeat("</w:r>", n))
	b.WriteString(`</w:p></w:body></w:document>`)
	return b.Bytes()
}

// deflated packs data as a zip entry's body.
func deflated(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func manyEntries(n int) []part {
	ps := make([]part, n)
	for i := range ps {
		ps[i] = part{name: fmt.Sprintf("word/media/e%05d", i)}
	}
	return ps
}

// TestZipBombsRefused: DOCX and ODT files that would unpack far beyond
// their size are refused before they are unpacked, with an error naming
// the file and the part. The old reader unpacked them (a 306 KB DOCX took
// 771 MB).
func TestZipBombsRefused(t *testing.T) {
	nest := nested(3 << 20) // 30 MB of XML in about 30 KB
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"nested.docx", zipOf(t, part{name: "word/document.xml", data: nest}), "word/document.xml would grow"},
		{"nested.odt", zipOf(t, part{name: "mimetype", data: []byte("application/vnd.oasis.opendocument.text")}, part{name: "content.xml", data: nest}), "content.xml would grow"},
		{"declared.docx", zipOf(t, part{name: "word/document.xml", raw: deflated(t, []byte("<w:t>x</w:t>")), unpacked: 4 << 30}), "word/document.xml would unpack to 4.0 GB"},
		{"entries.docx", zipOf(t, append(manyEntries(20_000), part{name: "word/document.xml", data: []byte("<w:t>x</w:t>")})...), "20001 entries"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			_, err := Bytes(context.Background(), c.name, c.data, Options{PureGo: true})
			if !errors.Is(err, ErrUnpackLimit) || !strings.Contains(err.Error(), c.name) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("%d bytes: err = %v, want ErrUnpackLimit naming %s and saying %q", len(c.data), err, c.name, c.want)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("refusing took %v: the check must come before unpacking", d)
			}
		})
	}
}

// TestNestedWithinLimits: a document the limits let through is read as a
// stream, whatever its nesting.
func TestNestedWithinLimits(t *testing.T) {
	data := zipOf(t, part{name: "word/document.xml", data: nested(200_000)})
	res, err := Bytes(context.Background(), "deep.docx", data, Options{MaxRatio: 1e6})
	if err != nil || res.Text != "бомба" {
		t.Fatalf("%q %v", res.Text, err)
	}
}

// TestFileRefusesFromDisk: File refuses a bomb on disk the same
// way, and a picture is turned away before it is read.
func TestFileRefusesFromDisk(t *testing.T) {
	dir := t.TempDir()
	bomb := filepath.Join(dir, "prikaz.docx")
	if err := os.WriteFile(bomb, zipOf(t, part{name: "word/document.xml", data: nested(3 << 20)}), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := File(context.Background(), bomb, Options{}); !errors.Is(err, ErrUnpackLimit) || !strings.Contains(err.Error(), bomb) {
		t.Errorf("bomb on disk: %v", err)
	}
	jpg := filepath.Join(dir, "photo.jpg")
	os.WriteFile(jpg, []byte{0xFF, 0xD8, 0xFF}, 0o644)
	if _, err := File(context.Background(), jpg, Options{}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("jpg: %v", err)
	}
}

// TestMemoryBudgetHoldsAcrossReaders: however many goroutines read at
// once, what they hold together never exceeds the budget, and every read
// finishes.
func TestMemoryBudgetHoldsAcrossReaders(t *testing.T) {
	doc := zipOf(t, part{name: "word/document.xml", data: []byte(`<w:document><w:body><w:p><w:r><w:t>Приказ</w:t></w:r></w:p></w:body></w:document>`)})
	opt := Options{MaxText: 1 << 20}.withDefaults()
	each := expectedMemory("docx", int64(len(doc)), opt)
	const limit = 3 // reads that fit at once
	SetMemoryBudget(limit * each)
	defer SetMemoryBudget(0)
	budget.peak.Store(0)
	var wg sync.WaitGroup
	errs := make(chan error, 24)
	for i := range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := Bytes(context.Background(), fmt.Sprintf("d%d.docx", i), doc, opt)
			if err == nil && res.Text != "Приказ" {
				err = fmt.Errorf("text %q", res.Text)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if p := budget.peak.Load(); p > limit*each || p < each {
		t.Fatalf("peak held %d bytes; the budget is %d (%d per read)", p, limit*each, each)
	}
	if h := budget.held.Load(); h != 0 {
		t.Fatalf("%d bytes still held after every read ended", h)
	}
	// a file expecting more than the whole budget runs alone, not never
	SetMemoryBudget(each / 2)
	if _, err := Bytes(context.Background(), "big.docx", doc, opt); err != nil {
		t.Fatal(err)
	}
	// a reader waiting for the budget gives up with its context
	release, err := acquire(context.Background(), "holder", each/2)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := Bytes(ctx, "waiting.docx", doc, opt); !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "waiting.docx") {
		t.Fatalf("waiting for memory: %v", err)
	}
}

func TestExpectedMemory(t *testing.T) {
	opt := Options{MaxText: 16 << 10}.withDefaults()
	small := expectedMemory("docx", 30<<10, opt)
	bomb := expectedMemory("docx", 306<<10, opt)
	huge := expectedMemory("docx", 60<<20, opt)
	if small < 1<<20 || bomb < 30<<20 || bomb > 40<<20 || huge > 60<<20+opt.MaxUnpacked+4<<20 {
		t.Fatalf("30 KB → %d, 306 KB → %d, 60 MB → %d", small, bomb, huge)
	}
}
