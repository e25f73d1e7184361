package mapping

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"perenos/extract"
	"perenos/store"
)

// The map stage's records in the ledger, and the review decisions and
// hand-filled content that every rebuild of a plan applies.
var (
	// Plans holds a site's plan under key "plan".
	Plans = store.Record[Plan]{Kind: "plans"}
	// Overrides holds the decisions made about items (in review, or by an
	// automatic approval), keyed by item key.
	Overrides = store.Record[Override]{Kind: "overrides"}
	// Manuals holds content added in review to fill gaps, keyed by item key.
	Manuals = store.Record[Manual]{Kind: "manual"}
)

const planKey = "plan"

// Manual is content added in review to fill a gap of a section.
type Manual struct {
	Section string `json:"section"`
	Gap     string `json:"gap,omitempty"` // the mandated item it fills ("" for the whole section)
	Item    Item   `json:"item"`
}

// LoadPlan reads a site's plan.
func LoadPlan(rd store.Reader, org string) (*Plan, error) {
	p, err := Plans.Get(rd, org, planKey)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("plan of %s: %w (run perenos map %s)", org, err, org)
		}
		return nil, err
	}
	return p, nil
}

// LoadOverrides reads a site's decisions in key order.
func LoadOverrides(rd store.Reader, org string) ([]Override, error) {
	var out []Override
	err := Overrides.Each(rd, org, func(_ string, ov *Override) error {
		out = append(out, *ov)
		return nil
	})
	return out, err
}

// PlanLedger is what rebuilding a plan reads: the organisation, its
// fetched URLs, extracted documents and attachment texts, decisions and
// filled gaps.
type PlanLedger = store.Reader

// RebuildPlan makes a site's plan afresh: the classifier's plan from the
// extracted documents and attachment texts, then the content filled in
// review for gaps, then the decisions. The map stage and the review UI
// (after each decision) both call it, so that neither loses what the other
// added. It returns the plan's counts and the commit that stores the plan
// with them; it moves no state. It does not return the plan: the plan it
// builds holds its pages' bodies as references into led, each read when
// needed (readDocs, docBodies), so that a large site's Markdown is never
// in memory all at once; the stored plan has them (LoadPlan).
//
// blobs reads the pages' stored bytes, for the old site's menu tree (nil:
// the menu is known only from the anchor texts of its links).
func RebuildPlan(ctx context.Context, led PlanLedger, blobs BlobReader, profiles Profiles, opt Options, log *slog.Logger, org string) (Counts, func(store.Tx) error, error) {
	o, err := led.Org(org)
	if err != nil {
		return Counts{}, nil, err
	}
	prof := profiles[o.Type]
	if prof == nil {
		return Counts{}, nil, fmt.Errorf("no profile for organisation type %s", o.Type)
	}
	in := Input{Org: o, Docs: map[string]*extract.Document{}, Blobs: blobs, spent: true}
	if o.HasLegacy() {
		strs := interner{}
		pages := 0
		if err := led.Pages(o.ID, func(p *store.Page) error {
			if p.Kind != store.KindSitemap && p.Kind != store.KindScript {
				compactPage(p, strs)
				in.Pages = append(in.Pages, p)
				if p.Kind == store.KindPage {
					pages++
				}
			}
			return nil
		}); err != nil {
			return Counts{}, nil, err
		}
		docs, bodies, err := readDocs(led, o.ID, pages >= bodiesByReference)
		in.Docs, in.bodies = docs, bodies
		if err != nil {
			return Counts{}, nil, err
		}
		texts, err := extract.AttachTexts.All(led, o.ID)
		if err != nil {
			return Counts{}, nil, err
		}
		in.Attach = make(map[string]AttachText, len(texts))
		for k, v := range texts {
			in.Attach[k] = *v
		}
	}
	if err := ctx.Err(); err != nil {
		return Counts{}, nil, err
	}
	plan := Build(prof, in, opt)
	bodies := in.bodies
	in = Input{} // the documents and pages are the plan's now, or garbage
	if err := bodies.failed(); err != nil {
		return Counts{}, nil, err
	}
	if err := Manuals.Each(led, org, func(key string, m *Manual) error {
		sp := plan.Section(m.Section)
		if sp == nil {
			plan.Unplaced = append(plan.Unplaced, m.Item)
			return nil
		}
		sp.Items = append(sp.Items, m.Item)
		plan.Gaps = slices.DeleteFunc(plan.Gaps, func(g Gap) bool {
			return g.Section == m.Section && (g.Item == m.Gap || g.Item == "")
		})
		return nil
	}); err != nil {
		return Counts{}, nil, fmt.Errorf("filled gaps of %s: %w", org, err)
	}
	ovs, err := LoadOverrides(led, o.ID)
	if err != nil {
		return Counts{}, nil, err
	}
	if orphans := ApplyOverrides(plan, ovs); len(orphans) > 0 && log != nil {
		log.Warn("decisions whose item is gone from the site", "site", o.ID, "keys", orphans)
	}
	// Encoded now, outside the commit's transaction; the commit holds
	// the stored bytes and the counts, not the plan.
	enc, err := encodePlan(plan)
	if err == nil {
		err = bodies.failed()
	}
	if err != nil {
		return Counts{}, nil, err
	}
	n := plan.Numbers()
	return n, storePlan(plan.Org, enc, n), nil
}

// The classifier reasons about the whole site at once, so the map stage
// holds every page's document; readDocs holds them compactly, and without
// their Markdown and Text: on a site of 20,000 pages a decoded document
// took about 16 KB, its Markdown and text 10 KB (200 MB of the site's
// 330), its links 3 KB (25 of them, most the template's), Dropped 2 KB of
// garbage. The Markdown and Text are read again from the ledger where
// they are needed, one page at a time (docBodies): for the page's own
// signals, for the checks of the finished plan's items (gaps, personal
// data, source hashes), and as the plan is written item by item.
// What the template removed from each page (Dropped) is for the review
// UI, not for mapping: it is skipped as each document is decoded, never
// allocated. The strings a site's pages repeat (its menu's addresses and
// anchor texts, microdata names, record types, breadcrumbs) are held once
// for the site, and the lists at their length.

// heldDoc is a document as the map stage decodes it: Dropped, Markdown
// and Text shadow the document's own fields and skip their values (Text
// is read on its own, summed up in a docSum, and let go).
type heldDoc struct {
	extract.Document
	Dropped  skipJSON `json:"dropped"`
	Markdown skipJSON `json:"markdown"`
	Text     skipJSON `json:"text"`
}

// skipJSON decodes nothing from any JSON value.
type skipJSON struct{}

// UnmarshalJSON skips the value.
func (*skipJSON) UnmarshalJSON([]byte) error { return nil }

// interner holds one copy of each string it is given.
type interner map[string]string

func (in interner) of(s string) string {
	if s == "" {
		return ""
	}
	if t, ok := in[s]; ok {
		return t
	}
	in[s] = s
	return s
}

// readDocs reads a site's extracted documents, by page URL, compactly
// (see heldDoc and compact). With byRef it reads them without their
// Markdown and Text, and returns the docBodies that reads those again;
// without, whole but for Dropped (wholeDoc), and no docBodies.
func readDocs(led store.Reader, org string, byRef bool) (map[string]*extract.Document, *docBodies, error) {
	out := map[string]*extract.Document{}
	var bodies *docBodies
	if byRef {
		bodies = &docBodies{led: led, org: org, sums: map[string]docSum{}}
	}
	strs, fields := interner{}, fieldSets{}
	err := led.EachRecord(extract.Docs.Kind, org, func(key string, raw []byte) error {
		var d *extract.Document
		var err error
		if byRef {
			h := new(heldDoc)
			d, err = &h.Document, json.Unmarshal(raw, h)
		} else {
			h := new(wholeDoc)
			d, err = &h.Document, json.Unmarshal(raw, h)
		}
		if err != nil {
			return fmt.Errorf("decode %s %s/%s: %w", extract.Docs.Kind, org, key, err)
		}
		if byRef {
			_, text, err := bodyFields(raw, false, true)
			if err != nil {
				return fmt.Errorf("decode %s %s/%s: %w", extract.Docs.Kind, org, key, err)
			}
			hash, runes := normHash(text)
			bodies.sums[key] = docSum{crc: crc32.Checksum(raw, castagnoli), text: hash, runes: int32(runes), blank: strings.TrimSpace(text) == ""}
		}
		compact(d, strs, fields)
		out[key] = d
		return nil
	})
	return out, bodies, err
}

// bodiesByReference is the number of pages from which a site's plan holds
// its pages' Markdown and Text by reference (readDocs, docBodies), read
// again from the ledger where needed; a smaller site's documents are held
// whole (readDocs with byRef false). Reading a body again costs the map stage about a
// fifth more CPU per page, worth it where a site's bodies would be tens of
// megabytes (at about 16 KB a page, 2,000 pages are 32 MB; the issue's
// largest site, 20,000 pages, 320 MB), not on the typical site of tens or
// hundreds of pages. Both ways make the same plan
// (TestStoredDocumentsMakeTheSamePlan).
const bodiesByReference = 2000

// wholeDoc is a document as readDocs decodes it for a small site: all but
// Dropped.
type wholeDoc struct {
	extract.Document
	Dropped skipJSON `json:"dropped"`
}

// castagnoli is the CRC-32C table (hardware-assisted on amd64 and arm64).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// docBodies reads the Markdown and Text of a site's documents from the
// ledger, one document at a time, as the plan needs them. Each read is
// checked against the stored JSON readDocs read (its CRC): a document
// rewritten meanwhile is an error, not a plan mixing two extractions.
// The first error is kept (err) and every read after it gives nothing:
// RebuildPlan returns it instead of the plan.
type docBodies struct {
	led  store.Reader
	org  string
	sums map[string]docSum
	err  error
}

// docSum is what the plan needs of a document's Text before it is read
// again: normHash of it, its runes as normHash counts them, whether it is
// only white space; and the CRC-32C of the document's stored JSON.
type docSum struct {
	crc   uint32
	runes int32
	blank bool
	text  uint64
}

// failed returns the first error of a read (nil for nil b).
func (b *docBodies) failed() error {
	if b == nil {
		return nil
	}
	return b.err
}

// read returns the Markdown of the document of page u and, with text, its
// Text; "" for both after an error.
func (b *docBodies) read(u string, text bool) (md, tx string) {
	if b.err != nil {
		return "", ""
	}
	sum, ok := b.sums[u]
	if !ok {
		b.err = fmt.Errorf("%s %s/%s: %w (read for the plan, gone since)", extract.Docs.Kind, b.org, u, store.ErrNotFound)
		return "", ""
	}
	raw, err := b.led.GetRecord(extract.Docs.Kind, b.org, u)
	if err == nil && crc32.Checksum(raw, castagnoli) != sum.crc {
		err = fmt.Errorf("%s %s/%s changed while its site's plan was made: map the site again", extract.Docs.Kind, b.org, u)
	}
	if err == nil {
		md, tx, err = bodyFields(raw, true, text)
	}
	if err != nil {
		b.err = err
		return "", ""
	}
	return md, tx
}

// bodyFields returns a stored document's Markdown (with md) and its Text
// (with text), decoding only those strings. The ledger's JSON of a document
// is json.Marshal's: its fields in the order of extract.Document, and
// before "markdown" only strings and lists of strings, so the first
// `"markdown":"` is the field itself (a quote inside a string is
// escaped), and "text" follows its value. JSON of any other shape is
// decoded whole.
func bodyFields(raw []byte, wantMD, text bool) (md, tx string, err error) {
	const mdKey, txKey = `"markdown":`, `,"text":`
	if i := bytes.Index(raw, []byte(mdKey)); i > 0 {
		mdAt := i + len(mdKey)
		if mdEnd := stringEnd(raw, mdAt); mdEnd > 0 && bytes.HasPrefix(raw[mdEnd:], []byte(txKey)) {
			txAt := mdEnd + len(txKey)
			if txEnd := stringEnd(raw, txAt); txEnd > 0 && txEnd < len(raw) && (raw[txEnd] == ',' || raw[txEnd] == '}') {
				if wantMD {
					if md, err = unquote(raw[mdAt:mdEnd]); err != nil {
						return "", "", fmt.Errorf("decode the markdown of a document: %w", err)
					}
				}
				if text {
					if tx, err = unquote(raw[txAt:txEnd]); err != nil {
						return "", "", fmt.Errorf("decode the text of a document: %w", err)
					}
				}
				return md, tx, nil
			}
		}
	}
	var d struct {
		Markdown string `json:"markdown"`
		Text     string `json:"text"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return "", "", fmt.Errorf("decode a document: %w", err)
	}
	if !wantMD {
		d.Markdown = ""
	}
	if !text {
		d.Text = ""
	}
	return d.Markdown, d.Text, nil
}

// unquote decodes a JSON string (quotes included) as json.Unmarshal
// does, copying the runs between escapes whole: json.Unmarshal checks
// and decodes a string a rune at a time, and the map stage decodes each
// page's Markdown several times. A string with bytes that are not UTF-8
// or a \u escape of half a surrogate pair (which json.Unmarshal
// replaces) is left to json.Unmarshal.
func unquote(q []byte) (string, error) {
	s := q[1 : len(q)-1]
	if !utf8.Valid(s) {
		return slowUnquote(q)
	}
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := bytes.IndexByte(s, '\\')
		if i < 0 {
			b.Write(s)
			return b.String(), nil
		}
		b.Write(s[:i])
		if i+1 >= len(s) {
			return slowUnquote(q)
		}
		n := 2
		switch c := s[i+1]; c {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '"', '\\', '/':
			b.WriteByte(c)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			r := hex4(s[i+2:])
			if r < 0 || utf16.IsSurrogate(r) {
				return slowUnquote(q)
			}
			b.WriteRune(r)
			n = 6
		default:
			return slowUnquote(q)
		}
		s = s[i+n:]
	}
}

// hex4 returns the rune of the four hex digits s starts with, or -1.
func hex4(s []byte) rune {
	if len(s) < 4 {
		return -1
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// slowUnquote is unquote by json.Unmarshal.
func slowUnquote(q []byte) (string, error) {
	var s string
	err := json.Unmarshal(q, &s)
	return s, err
}

// stringEnd returns the index just past the JSON string that starts at
// raw[at], or -1 when none starts there.
func stringEnd(raw []byte, at int) int {
	if at >= len(raw) || raw[at] != '"' {
		return -1
	}
	for i := at + 1; ; {
		j := bytes.IndexByte(raw[i:], '"')
		if j < 0 {
			return -1
		}
		q := i + j
		bs := 0
		for k := q - 1; k > at && raw[k] == '\\'; k-- {
			bs++
		}
		if bs%2 == 0 {
			return q + 1
		}
		i = q + 1
	}
}

// compact makes a decoded document share the strings its site repeats,
// and the fields of the records its site repeats, and trims its lists to
// their length; what it holds reads the same.
func compact(d *extract.Document, strs interner, fields fieldSets) {
	d.Dropped = nil
	d.HTMLTitle = strs.of(d.HTMLTitle)
	d.Breadcrumbs = clip(d.Breadcrumbs)
	for i, b := range d.Breadcrumbs {
		d.Breadcrumbs[i] = strs.of(b)
	}
	d.Headings = clip(d.Headings)
	d.Itemprops = clip(d.Itemprops)
	for i, p := range d.Itemprops {
		d.Itemprops[i] = strs.of(p)
	}
	d.Links = clip(d.Links)
	for i := range d.Links {
		l := &d.Links[i]
		l.URL, l.Text = strs.of(l.URL), strs.of(l.Text)
	}
	d.Records = clip(d.Records)
	for i := range d.Records {
		r := &d.Records[i]
		r.Type, r.Source, r.Method = strs.of(r.Type), strs.of(r.Source), strs.of(r.Method)
		if len(r.Fields) == 0 {
			continue
		}
		// the template's records (the footer's contacts) repeat on
		// every page: one map for all their copies
		r.Fields = fields.of(r.Fields, strs)
	}
}

// fieldSets holds one map of each set of record fields it is given, by
// fieldsKey. The maps it returns are shared by every record (and every
// plan item, recordItem) with those fields: nothing writes to them.
type fieldSets map[string]map[string]string

// of returns the site's map with exactly f's keys and values, its strings
// held once in strs; f itself is not kept.
func (fs fieldSets) of(f map[string]string, strs interner) map[string]string {
	k := fieldsKey(f)
	if m, ok := fs[k]; ok {
		return m
	}
	m := make(map[string]string, len(f))
	for k, v := range f {
		m[strs.of(k)] = strs.of(v)
	}
	fs[k] = m
	return m
}

// fieldsKey is a string that two sets of fields share only when they have
// the same keys with the same values: each key and value with its length,
// in key order.
func fieldsKey(f map[string]string) string {
	keys := make([]string, 0, len(f))
	n := 0
	for k, v := range f {
		keys = append(keys, k)
		n += len(k) + len(v) + 8
	}
	sort.Strings(keys)
	b := make([]byte, 0, n)
	for _, k := range keys {
		b = strconv.AppendInt(b, int64(len(k)), 10)
		b = append(b, ':')
		b = append(b, k...)
		v := f[k]
		b = strconv.AppendInt(b, int64(len(v)), 10)
		b = append(b, ':')
		b = append(b, v...)
	}
	return string(b)
}

// compactPage lets go of what mapping does not read of a fetched page
// (its validators, redirect hops, charset) and makes it share the strings
// the site's pages repeat (content types, the pages that link them).
func compactPage(p *store.Page, strs interner) {
	p.ETag, p.LastModified, p.Charset, p.Redirects = "", "", "", nil
	p.ContentType = strs.of(p.ContentType)
	p.Referrers = clip(p.Referrers)
	for i := range p.Referrers {
		r := &p.Referrers[i]
		r.URL, r.Anchor = strs.of(r.URL), strs.of(r.Anchor)
	}
}

// clip returns s in a slice of its length (nil stays nil).
func clip[T any](s []T) []T {
	if cap(s) == len(s) {
		return s
	}
	return append(make([]T, 0, len(s)), s...)
}

// SavePlan returns the commit that stores plan and the site's plan counts.
func SavePlan(plan *Plan) func(store.Tx) error {
	return func(tx store.Tx) error {
		enc, err := encodePlan(plan)
		if err != nil {
			return err
		}
		return storePlan(plan.Org, enc, plan.Numbers())(tx)
	}
}

// encodePlan returns a plan as the ledger stores it, written item by item
// (writePlanJSON): the same JSON as json.Marshal's, without ever holding
// all of it.
func encodePlan(plan *Plan) (store.Encoded[Plan], error) {
	return Plans.EncodeJSON(func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 64<<10)
		if err := writePlanJSON(bw, plan); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// storePlan returns the commit that stores a site's encoded plan and its
// counts.
func storePlan(org string, enc store.Encoded[Plan], n Counts) func(store.Tx) error {
	return func(tx store.Tx) error {
		if err := Plans.PutEncoded(tx, org, planKey, enc); err != nil {
			return err
		}
		return tx.UpdateOrg(org, func(x *store.Org) error {
			x.Stats.Planned = true
			x.Stats.Placed, x.Stats.Unplaced, x.Stats.Excluded, x.Stats.Gaps = int64(n.Placed), int64(n.Unplaced), int64(n.Excluded), int64(n.Gaps)
			return nil
		})
	}
}

// Counts are a plan's numbers, for summaries.
type Counts struct {
	Placed   int `json:"placed"`
	Unplaced int `json:"for_review"`
	Excluded int `json:"excluded"`
	Gaps     int `json:"gaps"`
}

// Numbers returns the plan's counts.
func (p *Plan) Numbers() Counts {
	placed, unplaced, excluded := p.Counts()
	return Counts{Placed: placed, Unplaced: unplaced, Excluded: excluded, Gaps: len(p.Gaps)}
}

// AutoDecisions are the decisions an approval without review makes: each
// item left for review goes to its best candidate section (or «Прочее»),
// recorded as a decision by actor with note, so that a later rebuild of
// the plan (a review edit, a re-map) keeps it where the approval put it.
func AutoDecisions(p *Plan, actor, note string, now time.Time) []Override {
	out := make([]Override, 0, len(p.Unplaced))
	for _, it := range p.Unplaced {
		target := OtherSection
		if len(it.Candidates) > 0 && p.Section(it.Candidates[0].Section) != nil {
			target = it.Candidates[0].Section
		}
		out = append(out, Override{Key: it.Key, Section: target, Note: note, SourceHash: it.SourceHash, Actor: actor, At: now})
	}
	return out
}
