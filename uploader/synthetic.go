package uploader

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"perenos/portal"
)

// SyntheticSite makes the upload ops of an invented site with items objects
// in all, files of them files (each with its document): a root section and
// ten subsections, then pages, news and records in turn. It feeds the
// upload benchmark and the tests that need a site bigger than a fixture.
// The same arguments always give the same ops.
func SyntheticSite(org string, items, files int) []Op {
	var ops []Op
	add := func(key string, obj portal.Object) {
		o, err := ObjectOp(key, obj, "synthetic:"+key)
		if err != nil {
			panic(err) // the synthetic objects always encode
		}
		ops = append(ops, o)
	}
	root := SectionKey(org, "sveden")
	add(root, &portal.Section{Title: "Сведения об образовательной организации", Path: "/svedeniya/", Order: 1})
	var secs []string
	for i := range 10 {
		key := SectionKey(org, fmt.Sprintf("sveden/s%02d", i))
		secs = append(secs, key)
		add(key, &portal.Section{Title: fmt.Sprintf("Подраздел %d", i), Parent: root, Path: fmt.Sprintf("/svedeniya/s%02d/", i), Order: i + 2})
	}
	for i := range files {
		data := bytes.Repeat([]byte(fmt.Sprintf("%%PDF-1.4 документ %d ", i)), 64+i%64)
		sum := sha256.Sum256(data)
		sha := hex.EncodeToString(sum[:])
		ops = append(ops, FileOp(File{SHA256: sha, Size: int64(len(data)), Name: fmt.Sprintf("doc%d.pdf", i),
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}, "synthetic:file"))
		add(ItemKey(org, portal.KindDocument, fmt.Sprintf("/files/doc%d.pdf", i)),
			&portal.Document{Section: secs[i%len(secs)], Title: fmt.Sprintf("Документ № %d", i), Path: fmt.Sprintf("/svedeniya/s%02d/doc%d.pdf", i%len(secs), i),
				DocKind: "положение", Date: "2023-09-01", FileSHA256: sha, FileName: fmt.Sprintf("doc%d.pdf", i), Size: int64(len(data)), Order: i})
	}
	for i := 0; len(ops) < items+files; i++ {
		sec := secs[i%len(secs)]
		path := fmt.Sprintf("/page%d.html", i)
		dir := fmt.Sprintf("/svedeniya/s%02d/", i%len(secs))
		switch i % 3 {
		case 0:
			add(ItemKey(org, portal.KindPage, path), &portal.Page{Section: sec, Title: fmt.Sprintf("Страница %d", i), Path: fmt.Sprintf("%sstranitsa-%d", dir, i),
				Body: fmt.Sprintf("# Страница %d\n\nТекст страницы с таблицей:\n\n| a | b |\n|---|---|\n| %d | %d |\n", i, i, i*2), Order: i})
		case 1:
			add(ItemKey(org, portal.KindNews, path), &portal.NewsItem{Section: sec, Title: fmt.Sprintf("Новость %d", i), Path: fmt.Sprintf("%s2023-10-05-novost-%d", dir, i),
				Date: "2023-10-05", Body: "Событие."})
		default:
			add(ItemKey(org, portal.KindRecord, path), &portal.Record{Section: sec, RecordType: "teachingStaff",
				Fields: map[string]string{"fio": fmt.Sprintf("Сотрудник %d", i), "post": "учитель"}})
		}
	}
	return ops
}
