package attachtext

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"perenos/ziplimit"
)

// readDOCX reads word/document.xml of a DOCX: paragraphs become lines,
// tabs and breaks are kept.
func readDOCX(data []byte, opt Options) (Result, error) {
	text, trunc, err := zipXMLText(data, "word/document.xml", opt, func(local string) (before, after string) {
		switch local {
		case "tab":
			return "\t", ""
		case "br", "cr":
			return "\n", ""
		case "p":
			return "", "\n"
		case "tc":
			return "", "\t"
		}
		return "", ""
	}, func(local string) bool { return local == "t" })
	if err != nil {
		return Result{}, err
	}
	return Result{Text: text, Method: "docx", Truncated: trunc}, nil
}

// readODT reads content.xml of an OpenDocument text.
func readODT(data []byte, opt Options) (Result, error) {
	text, trunc, err := zipXMLText(data, "content.xml", opt, func(local string) (before, after string) {
		switch local {
		case "tab":
			return "\t", ""
		case "line-break":
			return "\n", ""
		case "s":
			return " ", ""
		case "p", "h":
			return "", "\n"
		}
		return "", ""
	}, nil)
	if err != nil {
		return Result{}, err
	}
	return Result{Text: text, Method: "odt", Truncated: trunc}, nil
}

// maxEntries is the most entries a DOCX or ODT may list; real ones have
// tens, or a few thousand with many pictures.
const maxEntries = 10_000

// zipXMLText extracts the character data of one XML part of a zip.
// mark gives what to write at an element's start and end; keep, when not
// nil, limits the text to elements it accepts.
//
// The part is checked before it is unpacked: its declared size against
// opt.MaxUnpacked and its growth against opt.MaxRatio (archive/zip fails
// a part that inflates past its declared size). It is then decoded as a
// stream of raw tokens, which keeps no stack of open elements (a part of
// nested elements would otherwise grow one), and the text stops growing
// at opt.MaxText.
func zipXMLText(data []byte, part string, opt Options, mark func(local string) (string, string), keep func(local string) bool) (string, bool, error) {
	zr, err := ziplimit.Open(data, ziplimit.Limits{MaxEntries: maxEntries})
	switch {
	case errors.Is(err, ziplimit.ErrLimit):
		return "", false, fmt.Errorf("%w: %w", ErrUnpackLimit, err)
	case err != nil:
		return "", false, fmt.Errorf("%w: %v", ErrBroken, err)
	}
	var f *zip.File
	for _, zf := range zr.File {
		if zf.Name == part {
			f = zf
		}
	}
	if f == nil {
		return "", false, fmt.Errorf("%w: no %s in the archive", ErrBroken, part)
	}
	if err := ziplimit.CheckEntry(f, ziplimit.Limits{MaxEntry: opt.MaxUnpacked, MaxRatio: opt.MaxRatio, RatioFrom: unpackRatioFrom}); err != nil {
		return "", false, fmt.Errorf("%w: %w", ErrUnpackLimit, err)
	}
	rc, err := f.Open()
	if err != nil {
		return "", false, fmt.Errorf("%w: %s: %v", ErrBroken, part, err)
	}
	defer rc.Close()
	dec := xml.NewDecoder(rc)
	dec.Strict = false
	var b strings.Builder
	depthKeep := 0
	for {
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", false, fmt.Errorf("%w: %s: %v", ErrBroken, part, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			before, _ := mark(t.Name.Local)
			b.WriteString(before)
			if keep != nil && keep(t.Name.Local) {
				depthKeep++
			}
		case xml.EndElement:
			_, after := mark(t.Name.Local)
			b.WriteString(after)
			if keep != nil && keep(t.Name.Local) && depthKeep > 0 {
				depthKeep--
			}
		case xml.CharData:
			if keep == nil || depthKeep > 0 {
				b.Write(t[:min(len(t), opt.MaxText+1-b.Len())])
			}
		}
		if b.Len() > opt.MaxText {
			return b.String(), true, nil
		}
	}
	return strings.TrimSpace(b.String()), false, nil
}

// readDOC runs catdoc on a legacy Word file.
func readDOC(ctx context.Context, data []byte, opt Options) (Result, error) {
	if opt.PureGo || !HaveCatdoc() {
		return Result{}, fmt.Errorf("catdoc: %w (Debian package catdoc)", ErrNoTool)
	}
	if !bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}) {
		return Result{}, fmt.Errorf("%w: not an OLE2 Word file", ErrBroken)
	}
	f, err := os.CreateTemp("", "perenos-attach-*.doc")
	if err != nil {
		return Result{}, fmt.Errorf("temporary file for catdoc: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return Result{}, fmt.Errorf("temporary file for catdoc: %w", err)
	}
	if err := f.Close(); err != nil {
		return Result{}, fmt.Errorf("temporary file for catdoc: %w", err)
	}
	cmd := exec.CommandContext(ctx, "catdoc", "-d", "utf-8", "-w", f.Name())
	var out, stderr bytes.Buffer
	cmd.Stdout = &limitWriter{w: &out, n: opt.MaxText + 1}
	cmd.Stderr = &limitWriter{w: &stderr, n: 4096}
	err = cmd.Run()
	if ctx.Err() != nil {
		return Result{}, fmt.Errorf("catdoc: %w", ctx.Err())
	}
	if err != nil {
		return Result{}, fmt.Errorf("catdoc: %w: %v (%s)", ErrBroken, err, strings.TrimSpace(stderr.String()))
	}
	return Result{Text: strings.TrimSpace(out.String()), Method: "catdoc"}, nil
}
