package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"

	"perenos/mapping"
)

// Manifest is the canonical list of everything a site's plan migrated;
// its SHA-256 is printed on the act, so that anyone holding the list can
// prove the act covers exactly these items.
//
// Each line is
//
//	kind TAB section TAB source TAB content-SHA-256 LF
//
// where kind is page, document, record or news; section is the ID of the
// mandated section the item was placed in; source is the item's address
// on the legacy site (or "key:" and its key when it has none); and the
// content hash is, for a document, the SHA-256 of its file, and for a page,
// news item or record, the SHA-256 of the JSON object
// {"title":…,"date":…,"body":…,"fields":{…}} (empty members left out,
// object keys in byte order, no HTML escaping, no spaces). Lines are
// sorted bytewise and there is no header, so the same plan always gives
// the same bytes.
type Manifest struct {
	Lines  []string // sorted, without the trailing LF
	Digest string   // hex SHA-256 of Text()
}

// Text is the manifest as stored: every line followed by LF.
func (m *Manifest) Text() []byte {
	var b bytes.Buffer
	for _, l := range m.Lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// BuildManifest lists the items placed in the plan's sections: the items
// that were uploaded and verified. Unplaced and excluded items are not
// migrated and are not listed.
func BuildManifest(p *mapping.Plan) *Manifest {
	m := &Manifest{Lines: []string{}}
	for _, s := range p.Sections {
		for i := range s.Items {
			it := &s.Items[i]
			src := it.SourceURL
			if src == "" {
				src = "key:" + it.Key
			}
			m.Lines = append(m.Lines, strings.Join([]string{clean(it.Kind), clean(s.ID), clean(src), ItemHash(it)}, "\t"))
		}
	}
	slices.Sort(m.Lines)
	sum := sha256.Sum256(m.Text())
	m.Digest = hex.EncodeToString(sum[:])
	return m
}

// ItemHash is the content hash of one migrated item, as the manifest
// defines it.
func ItemHash(it *mapping.Item) string {
	if it.Kind == mapping.KindDocument && it.Blob != "" {
		return it.Blob
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(struct {
		Title  string            `json:"title,omitempty"`
		Date   string            `json:"date,omitempty"`
		Body   string            `json:"body,omitempty"`
		Fields map[string]string `json:"fields,omitempty"`
	}{it.Title, it.Date, it.Body, it.Fields})
	sum := sha256.Sum256(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	return hex.EncodeToString(sum[:])
}

// clean keeps a manifest field on its line.
func clean(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s)
}
