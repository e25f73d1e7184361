package uploader

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"

	"perenos/mapping"
	"perenos/portal"
	"perenos/store"
)

// Op is one object of the upload plan.
type Op struct {
	Kind   portal.Kind
	Key    string
	Obj    any // portal.Section, Page, Document, NewsItem or Record; nil for files
	Hash   string
	Source string // legacy URL, for messages
	File   *FileRef
}

// FileRef is a file to upload from the blob store.
type FileRef struct {
	SHA256 string
	Size   int64
	Name   string
	Open   func() (io.ReadCloser, error)
}

// Keys derive an object's external key from the organisation's ID and the
// item's path within its site, never from host or port.
func SectionKey(org, section string) string {
	return clipKey(org + ".s." + strings.ReplaceAll(section, "/", "."))
}

// ItemKey is the external key of a page, document, news item or record.
func ItemKey(org string, kind portal.Kind, path string) string {
	h := sha1.Sum([]byte(path))
	prefix := map[portal.Kind]string{portal.KindPage: "p", portal.KindDocument: "d", portal.KindNews: "n", portal.KindRecord: "r"}[kind]
	slug := slugify(path)
	if len(slug) > 80 {
		slug = slug[:80]
	}
	return clipKey(fmt.Sprintf("%s.%s.%s-%s", org, prefix, strings.Trim(slug, "-"), hex.EncodeToString(h[:4])))
}

var nonKey = regexp.MustCompile(`[^a-z0-9]+`)

func slugify(s string) string {
	s = strings.ToLower(s)
	s = strings.TrimSuffix(s, ".html")
	return nonKey.ReplaceAllString(s, "-")
}

func clipKey(k string) string {
	k = strings.ReplaceAll(k, "..", ".")
	if len(k) > 200 {
		k = k[:200]
	}
	return k
}

// BuildOps turns a reviewed plan into the objects to upload. base is the
// portal's public base URL: links between migrated items are rewritten to
// their portal addresses, and links to items that were not migrated are
// returned as unresolved.
func BuildOps(org *store.Org, plan *mapping.Plan, base string, open func(sha string) (io.ReadCloser, error)) (ops []Op, unresolved []string, err error) {
	newURL := map[string]string{}
	for _, r := range Redirects(org, plan, base) {
		newURL[normURL(r.From)] = r.To
	}
	legacyHost := ""
	if u, err := url.Parse(org.LegacyURL); err == nil {
		legacyHost = u.Host
	}
	seenUnres := map[string]bool{}
	rewrite := func(body string) string {
		return linkPattern.ReplaceAllStringFunc(body, func(m string) string {
			sub := linkPattern.FindStringSubmatch(m)
			target := sub[2]
			if n, ok := newURL[normURL(target)]; ok {
				return sub[1] + n + sub[3]
			}
			if u, err := url.Parse(target); err == nil && u.Host == legacyHost && legacyHost != "" && !seenUnres[target] {
				seenUnres[target] = true
				unresolved = append(unresolved, target)
			}
			return m
		})
	}
	order := 0
	files := map[string]bool{}
	for _, s := range plan.Sections {
		if len(s.Items) == 0 && !s.Mandated && s.ID != plan.Sections[0].ID {
			continue // empty optional sections are not created
		}
		order++
		sec := portal.Section{Title: s.Title, Path: s.PortalPath, Order: order}
		if s.Parent != "" {
			sec.Parent = SectionKey(org.ID, s.Parent)
		}
		ops = append(ops, op(portal.KindSection, SectionKey(org.ID, s.ID), sec, ""))
	}
	for _, s := range plan.Sections {
		skey := SectionKey(org.ID, s.ID)
		for i, it := range s.Items {
			switch it.Kind {
			case mapping.KindPage:
				ops = append(ops, op(portal.KindPage, ItemKey(org.ID, portal.KindPage, it.Key),
					portal.Page{Section: skey, Title: it.Title, Body: rewrite(it.Body), SourceURL: it.SourceURL, Order: i}, it.SourceURL))
			case mapping.KindNews:
				ops = append(ops, op(portal.KindNews, ItemKey(org.ID, portal.KindNews, it.Key),
					portal.NewsItem{Section: skey, Title: it.Title, Date: it.Date, Body: rewrite(it.Body), SourceURL: it.SourceURL}, it.SourceURL))
			case mapping.KindRecord:
				ops = append(ops, op(portal.KindRecord, ItemKey(org.ID, portal.KindRecord, it.Key),
					portal.Record{Section: skey, RecordType: it.DocKind, Fields: it.Fields, SourceURL: it.SourceURL}, it.SourceURL))
			case mapping.KindDocument:
				if it.Blob == "" && it.Elsewhere != "" {
					continue // stored on another host: waits for the admin to attach the file (a row of the gaps worksheet)
				}
				if it.Blob == "" {
					return nil, nil, fmt.Errorf("document %s has no stored file", it.SourceURL)
				}
				if !files[it.Blob] {
					files[it.Blob] = true
					sha := it.Blob
					ops = append(ops, Op{Kind: portal.KindFile, Key: sha, Hash: sha, Source: it.SourceURL,
						File: &FileRef{SHA256: sha, Size: it.Size, Name: it.FileName, Open: func() (io.ReadCloser, error) { return open(sha) }}})
				}
				ops = append(ops, op(portal.KindDocument, ItemKey(org.ID, portal.KindDocument, it.Key),
					portal.Document{Section: skey, Title: it.Title, DocKind: it.DocKind, Date: it.Date, FileSHA256: it.Blob, FileName: it.FileName, Size: it.Size, SourceURL: it.SourceURL, Order: i}, it.SourceURL))
			}
		}
	}
	for i := range ops {
		if ops[i].Obj != nil {
			h, err := portal.ContentHash(ops[i].Obj)
			if err != nil {
				return nil, nil, fmt.Errorf("hash %s %s: %w", ops[i].Kind, ops[i].Key, err)
			}
			ops[i].Hash = h
		}
	}
	return ops, unresolved, nil
}

// Redirect maps an old address of the legacy site to the item's address
// on the portal.
type Redirect struct {
	From string      `json:"from"`
	To   string      `json:"to"`
	Kind portal.Kind `json:"kind"`
}

// Redirects lists, for every page, news item and document of the plan,
// its old URL and its portal URL under base, in plan order. They are what
// the old domain should answer once it points at the portal.
func Redirects(org *store.Org, plan *mapping.Plan, base string) []Redirect {
	var out []Redirect
	site := org.PortalSite
	for _, s := range plan.Sections {
		for _, it := range s.Items {
			switch it.Kind {
			case mapping.KindDocument:
				if it.Blob == "" {
					continue // a file on another host has no address on the portal
				}
				out = append(out, Redirect{it.SourceURL, base + portal.FilePath(site, it.Blob, it.FileName), portal.KindFile})
			case mapping.KindPage, mapping.KindNews:
				k := portal.KindPage
				if it.Kind == mapping.KindNews {
					k = portal.KindNews
				}
				out = append(out, Redirect{it.SourceURL, base + portal.PublicPath(site, k, ItemKey(org.ID, k, it.Key)), k})
			}
		}
	}
	return out
}

func op(kind portal.Kind, key string, obj any, src string) Op {
	return Op{Kind: kind, Key: key, Obj: obj, Source: src}
}

// linkPattern finds Markdown link targets and HTML hrefs.
var linkPattern = regexp.MustCompile(`(\]\(|href=")(https?://[^)"\s]+)(\)|")`)

func normURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	u.Fragment = ""
	u.Host = strings.ToLower(u.Host)
	return u.String()
}
