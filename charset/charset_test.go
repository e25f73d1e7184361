package charset

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

func enc(t *testing.T, cm *charmap.Charmap, s string) []byte {
	t.Helper()
	b, err := cm.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecode(t *testing.T) {
	const text = "Приём обучающихся в школу города Ангарска, учёт и отчётность"
	page := func(meta string) string {
		return `<html><head>` + meta + `<title>Школа</title></head><body><p>` + text + `</p></body></html>`
	}
	metaCP := `<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">`
	metaUTF := `<meta charset="utf-8">`
	cases := []struct {
		name        string
		body        []byte
		contentType string
		want        string
		source      Source
	}{
		{"utf-8 BOM beats header", append([]byte{0xEF, 0xBB, 0xBF}, page("")...), "text/html; charset=windows-1251", "utf-8", FromBOM},
		{"header windows-1251", enc(t, charmap.Windows1251, page("")), "text/html; charset=windows-1251", "windows-1251", FromHeader},
		{"header cp1251 alias", enc(t, charmap.Windows1251, page("")), "text/html; charset=cp1251", "windows-1251", FromHeader},
		{"meta windows-1251", enc(t, charmap.Windows1251, page(metaCP)), "text/html", "windows-1251", FromMeta},
		{"header beats meta", enc(t, charmap.KOI8R, page(metaCP)), "text/html; charset=koi8-r", "koi8-r", FromHeader},
		{"sniff windows-1251", enc(t, charmap.Windows1251, page("")), "", "windows-1251", FromSniff},
		{"sniff koi8-r", enc(t, charmap.KOI8R, page("")), "", "koi8-r", FromSniff},
		{"utf-8 undeclared", []byte(page("")), "", "utf-8", FromSniff},
		{"meta says 1251, bytes are utf-8", []byte(page(metaCP)), "", "utf-8", FromBytes},
		{"header says 1251, bytes are utf-8", []byte(page("")), "text/html; charset=windows-1251", "utf-8", FromBytes},
		{"header says utf-8, bytes are 1251", enc(t, charmap.Windows1251, page(metaUTF)), "text/html; charset=utf-8", "windows-1251", FromBytes},
		{"meta 1251 but bytes koi8-r", enc(t, charmap.KOI8R, page(metaCP)), "", "koi8-r", FromBytes},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Decode(c.body, c.contentType)
			if r.Charset != c.want || r.Source != c.source {
				t.Fatalf("got %s from %s, want %s from %s", r.Charset, r.Source, c.want, c.source)
			}
			if !strings.Contains(r.Text, text) {
				t.Fatalf("text not decoded right: %q", r.Text)
			}
		})
	}
}

func TestDecodeShortPage(t *testing.T) {
	// Short windows-1251 pages are where generic detectors guess wrong.
	b := enc(t, charmap.Windows1251, "<p>Устав школы</p>")
	if r := Decode(b, ""); r.Text != "<p>Устав школы</p>" {
		t.Fatalf("short page: %q (%s)", r.Text, r.Charset)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte("<meta charset=koi8-r>\xf0\xd2\xc9"), "text/html")
	f.Add([]byte{0xFF, 0xFE, 0x41}, "")
	f.Add([]byte("\xef\xbb\xbf<p>x"), "text/html; charset=")
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		r := Decode(body, ct)
		if r.Charset == "" {
			t.Fatal("no charset decided")
		}
	})
}
