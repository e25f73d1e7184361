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

// Op is one object or file of the upload plan.
type Op struct {
	Kind   portal.Kind
	Key    string
	Obj    portal.Object // the object; nil for a file
	File   *File         // the file; nil for an object
	Hash   string        // what the ID map compares: the object's content hash, the file's SHA-256
	Source string        // legacy URL, for messages
}

// ObjectOp is the op that writes obj under key.
func ObjectOp(key string, obj portal.Object, source string) (Op, error) {
	h, err := portal.ContentHash(obj)
	if err != nil {
		return Op{}, fmt.Errorf("hash %s %s: %w", obj.Kind(), key, err)
	}
	return Op{Kind: obj.Kind(), Key: key, Obj: obj, Hash: h, Source: source}, nil
}

// FileOp is the op that stores f.
func FileOp(f File, source string) Op {
	return Op{Kind: portal.KindFile, Key: f.SHA256, File: &f, Hash: f.SHA256, Source: source}
}

// SectionKey is the external key of a section, derived from the
// organisation's ID and the section's ID in the plan, never from host or
// port.
func SectionKey(org, section string) string {
	return clipKey(org + ".s." + strings.ReplaceAll(section, "/", "."))
}

// ItemKey is the external key of a page, document, news item or record,
// derived from the organisation's ID and the item's path within its site.
func ItemKey(org string, kind portal.Kind, path string) string {
	h := sha1.Sum([]byte(path))
	prefix := map[portal.Kind]string{portal.KindPage: "p", portal.KindDocument: "d", portal.KindNews: "n", portal.KindRecord: "r"}[kind]
	slug := keySlug(path)
	if len(slug) > 80 {
		slug = slug[:80]
	}
	return clipKey(fmt.Sprintf("%s.%s.%s-%s", org, prefix, strings.Trim(slug, "-"), hex.EncodeToString(h[:4])))
}

var nonKey = regexp.MustCompile(`[^a-z0-9]+`)

func keySlug(s string) string {
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

// planKind is the portal collection of a plan item's kind.
func planKind(kind string) portal.Kind {
	switch kind {
	case mapping.KindPage:
		return portal.KindPage
	case mapping.KindNews:
		return portal.KindNews
	case mapping.KindDocument:
		return portal.KindDocument
	case mapping.KindRecord:
		return portal.KindRecord
	}
	return ""
}

// Site is what the upload of one site needs besides its plan: where its
// pages will be shown, and the words people used for them on the old site.
type Site struct {
	Org *store.Org
	// Base is the portal's public base URL ("" for links relative to it).
	Base string
	// Anchors are, per legacy URL, the texts of the links (menus
	// included) that pointed at it, most used first.
	Anchors map[string][]string
	// Images are the same-site pictures the crawl fetched, by their
	// legacy URL: a page that shows one carries it to the portal as a
	// file, and its Markdown points at the portal's copy, so that photos,
	// galleries and orders published as scans survive the domain switch.
	Images map[string]File
}

// BuildOps turns a reviewed plan into the objects to upload. Every page,
// news item and document gets a title a person would read and its public
// path on the new site; links between migrated items are rewritten to
// their new addresses, and links to items that were not migrated are
// returned as unresolved.
func BuildOps(site Site, plan *mapping.Plan, open func(sha string) (io.ReadCloser, error)) (ops []Op, unresolved []string, err error) {
	org := site.Org
	lay := layout(site, plan)
	newURL := map[string]string{}
	for _, r := range lay.redirects() {
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
	files := map[string]bool{}
	// pictures rewrites the images a body shows to the portal's copies,
	// adding each picture's file once; an image the crawl did not fetch
	// (another host, too large) keeps its address.
	pictures := func(body, src string) string {
		if len(site.Images) == 0 {
			return body
		}
		return imagePattern.ReplaceAllStringFunc(body, func(m string) string {
			sub := imagePattern.FindStringSubmatch(m)
			f, ok := site.Images[normURL(sub[2])]
			if !ok {
				return m
			}
			if !files[f.SHA256] {
				files[f.SHA256] = true
				ops = append(ops, FileOp(f, src))
			}
			return sub[1] + site.Base + portal.FilePath(org.PortalSite, f.SHA256, f.Name) + sub[3]
		})
	}
	add := func(key string, obj portal.Object, src string) error {
		o, err := ObjectOp(key, obj, src)
		if err != nil {
			return err
		}
		ops = append(ops, o)
		return nil
	}
	order := 0
	for _, s := range lay.sections {
		order++
		sec := &portal.Section{Title: s.Title, Path: s.PortalPath, Order: order}
		if s.Parent != "" {
			sec.Parent = SectionKey(org.ID, s.Parent)
		}
		if err := add(SectionKey(org.ID, s.ID), sec, ""); err != nil {
			return nil, nil, err
		}
	}
	for _, s := range plan.Sections {
		skey := SectionKey(org.ID, s.ID)
		for i, it := range s.Items {
			title, path := lay.title(it), lay.path(it)
			var obj portal.Object
			switch it.Kind {
			case mapping.KindPage:
				obj = &portal.Page{Section: skey, Title: title, Path: path, Body: rewrite(pictures(it.Body, it.SourceURL)), SourceURL: it.SourceURL, Order: i}
			case mapping.KindNews:
				obj = &portal.NewsItem{Section: skey, Title: title, Path: path, Date: it.Date, Body: rewrite(pictures(it.Body, it.SourceURL)), SourceURL: it.SourceURL}
			case mapping.KindRecord:
				obj = &portal.Record{Section: skey, RecordType: it.DocKind, Fields: it.Fields, SourceURL: it.SourceURL}
			case mapping.KindDocument:
				if it.Blob == "" {
					return nil, nil, fmt.Errorf("document %s has no stored file", it.SourceURL)
				}
				if !files[it.Blob] {
					files[it.Blob] = true
					sha := it.Blob
					ops = append(ops, FileOp(File{SHA256: sha, Size: it.Size, Name: it.FileName, Open: func() (io.ReadCloser, error) { return open(sha) }}, it.SourceURL))
				}
				obj = &portal.Document{Section: skey, Title: title, Path: path, DocKind: it.DocKind, Date: it.Date, FileSHA256: it.Blob,
					FileName: it.FileName, Size: it.Size, SourceURL: it.SourceURL, Order: i}
			default:
				continue
			}
			if err := add(ItemKey(org.ID, planKind(it.Kind), it.Key), obj, it.SourceURL); err != nil {
				return nil, nil, err
			}
		}
	}
	return ops, unresolved, nil
}

// imagePattern finds the pictures a Markdown body shows: ![alt](url) and
// <img src="url">.
var imagePattern = regexp.MustCompile(`(!\[[^\]]*\]\(|<img [^>]*src=")(https?://[^)"\s]+)(\)|")`)

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
