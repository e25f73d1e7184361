// Package attachtext reads the text of attached documents (PDF, DOCX,
// ODT, legacy .doc, plain text) for classification and search, and flags
// PDFs without a text layer as scans that are not machine-readable. Each
// file gets a time and a size limit, DOCX and ODT also limits on what they
// unpack to, checked before unpacking; a broken file yields an error
// naming it, never a panic. All reads of a process share one memory
// budget (SetMemoryBudget), so a batch reading many sites at once waits
// rather than runs out of memory. It imports only ziplimit of perenos.
//
// PDFs go to pdftotext (Debian poppler-utils) when it is installed, else
// to the pure-Go reader github.com/ledongthuc/pdf; .doc goes to catdoc
// when installed; DOCX and ODT are read with the standard library.
package attachtext

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Result is what a file yields.
type Result struct {
	// Text is the document's text, UTF-8, at most Options.MaxText bytes.
	Text string `json:"text"`
	// Format is the detected format: pdf, docx, odt, doc, txt.
	Format string `json:"format"`
	// Method names the reader used: pdftotext, go-pdf, docx, odt, catdoc, plain.
	Method string `json:"method"`
	// Pages is the page count where the reader knows it (PDF), else 0.
	Pages int `json:"pages,omitempty"`
	// Scan is true for a PDF with no text layer: a picture of a document,
	// not machine-readable as the rules require.
	Scan bool `json:"scan,omitempty"`
	// Truncated is true when Text was cut at Options.MaxText.
	Truncated bool `json:"truncated,omitempty"`
}

// Options limit the work on one file. Zero values take the defaults.
type Options struct {
	// MaxBytes refuses larger files (default 64 MiB).
	MaxBytes int64
	// MaxText cuts the text (default 4 MiB).
	MaxText int
	// MaxUnpacked refuses a DOCX or ODT whose text part unpacks to more
	// (default 64 MiB).
	MaxUnpacked int64
	// MaxRatio refuses a DOCX or ODT whose text part, from 1 MiB unpacked
	// on, grows more than this many times when unpacked (default 100; real
	// documents grow 5 to 20 times, zip bombs a thousand).
	MaxRatio float64
	// Timeout bounds the reading of one file (default 60 s), not counting
	// the wait for the memory budget.
	Timeout time.Duration
	// PureGo skips the external programs (pdftotext, catdoc).
	PureGo bool
}

func (o Options) withDefaults() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = 64 << 20
	}
	if o.MaxText <= 0 {
		o.MaxText = 4 << 20
	}
	if o.MaxUnpacked <= 0 {
		o.MaxUnpacked = 64 << 20
	}
	if o.MaxRatio <= 0 {
		o.MaxRatio = 100
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	return o
}

// unpackRatioFrom is the unpacked size from which Options.MaxRatio applies.
const unpackRatioFrom = 1 << 20

// Errors callers may test for with errors.Is.
var (
	ErrTooLarge    = errors.New("file larger than the size limit")
	ErrUnpackLimit = errors.New("file would unpack beyond the limits")
	ErrUnsupported = errors.New("file type not supported for text extraction")
	ErrNoTool      = errors.New("the program needed for this file type is not installed")
	ErrBroken      = errors.New("file is damaged or not of its declared type")
)

// File reads the text of the file at path. The file is read into memory
// only once its share of the memory budget is free.
func File(ctx context.Context, path string, opt Options) (Result, error) {
	opt = opt.withDefaults()
	f, err := os.Open(path)
	if err != nil {
		return Result{}, fmt.Errorf("attachment %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Result{}, fmt.Errorf("attachment %s: %w", path, err)
	}
	if st.Size() > opt.MaxBytes {
		return Result{}, fmt.Errorf("attachment %s: %d bytes: %w (%d)", path, st.Size(), ErrTooLarge, opt.MaxBytes)
	}
	head := make([]byte, 4096)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return Result{}, fmt.Errorf("attachment %s: %w", path, err)
	}
	format := Detect(path, head[:n])
	if format == "" {
		return Result{}, fmt.Errorf("attachment %s: %w (%s)", path, ErrUnsupported, extOf(path))
	}
	release, err := acquire(ctx, path, expectedMemory(format, st.Size(), opt))
	if err != nil {
		return Result{}, err
	}
	defer release()
	data := make([]byte, st.Size())
	if _, err := f.ReadAt(data, 0); err != nil && !errors.Is(err, io.EOF) {
		return Result{}, fmt.Errorf("attachment %s: %w", path, err)
	}
	return read(ctx, path, format, data, opt)
}

// Bytes reads the text of a file's content; name (a file name or URL)
// gives the type by its extension when the bytes do not, and names the
// file in errors. It waits for its share of the memory budget.
func Bytes(ctx context.Context, name string, data []byte, opt Options) (Result, error) {
	opt = opt.withDefaults()
	if int64(len(data)) > opt.MaxBytes {
		return Result{}, fmt.Errorf("attachment %s: %d bytes: %w (%d)", name, len(data), ErrTooLarge, opt.MaxBytes)
	}
	format := Detect(name, data)
	if format == "" {
		return Result{}, fmt.Errorf("attachment %s: %w (%s)", name, ErrUnsupported, extOf(name))
	}
	release, err := acquire(ctx, name, expectedMemory(format, int64(len(data)), opt))
	if err != nil {
		return Result{}, err
	}
	defer release()
	return read(ctx, name, format, data, opt)
}

// read reads data of a detected format, within opt's limits.
func read(ctx context.Context, name, format string, data []byte, opt Options) (res Result, err error) {
	ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	defer func() {
		// the last line of defence: a reader that panics on a hostile
		// file becomes that file's error
		if p := recover(); p != nil {
			res, err = Result{}, fmt.Errorf("attachment %s: %w: reader failed: %v", name, ErrBroken, p)
		}
	}()
	switch format {
	case "pdf":
		res, err = readPDF(ctx, data, opt)
	case "docx":
		res, err = readDOCX(data, opt)
	case "odt":
		res, err = readODT(data, opt)
	case "doc":
		res, err = readDOC(ctx, data, opt)
	case "txt":
		res, err = Result{Text: decodeText(data), Method: "plain"}, nil
	default:
		return Result{}, fmt.Errorf("attachment %s: %w (%s)", name, ErrUnsupported, extOf(name))
	}
	if err != nil {
		return Result{}, fmt.Errorf("attachment %s (%s): %w", name, format, err)
	}
	res.Format = format
	res.Text, res.Truncated = clip(res.Text, opt.MaxText, res.Truncated)
	return res, nil
}

// Detect names a file's format from its first bytes, or else from the
// extension of name: pdf, docx, odt, doc, txt, or "" when unknown.
func Detect(name string, data []byte) string {
	ext := extOf(name)
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")) || bytes.Contains(data[:min(len(data), 1024)], []byte("%PDF-")):
		return "pdf"
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		if ext == "odt" || bytes.Contains(data[:min(len(data), 200)], []byte("opendocument.text")) {
			return "odt"
		}
		if ext == "docx" || ext == "doc" || ext == "" || bytes.Contains(data[:min(len(data), 4096)], []byte("word/")) {
			return "docx"
		}
		return ""
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		if ext == "doc" || ext == "" {
			return "doc"
		}
		return "" // xls, ppt: not text documents here
	}
	switch ext {
	case "pdf", "docx", "odt", "doc":
		return ext // the bytes do not match: the reader reports it broken
	case "txt", "csv":
		return "txt"
	}
	return ""
}

func extOf(name string) string {
	if i := strings.IndexAny(name, "?#"); i >= 0 && strings.Contains(name, "://") {
		name = name[:i]
	}
	return strings.TrimPrefix(strings.ToLower(filepath.Ext(name)), ".")
}

// decodeText reads plain text as UTF-8, or as windows-1251 when it is not
// valid UTF-8 (the usual encoding of legacy Russian text files).
func decodeText(data []byte) string {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if utf8.Valid(data) {
		return string(data)
	}
	out, err := charmap.Windows1251.NewDecoder().Bytes(data)
	if err != nil {
		return strings.ToValidUTF8(string(data), "\uFFFD")
	}
	return string(out)
}

// clip cuts s to at most n bytes on a rune boundary.
func clip(s string, n int, already bool) (string, bool) {
	if len(s) <= n {
		return s, already
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut], true
}

// letters counts the letters and digits of s.
func letters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n
}
