package realsites

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"

	"golang.org/x/net/html"

	"perenos/charset"
	"perenos/crawler"
	"perenos/extract"
)

// imageExts are attachment types that are pictures, not documents.
var imageExts = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".gif": true}

// linkedDocs reads the given pages of a site from its server, as a browser
// would get them, and returns the path keys of every document they link on
// the site's own hosts (a file that is not a picture; backslashes read as
// slashes, as browsers read them). It does not depend on the crawler: a
// document on a page the crawl never reached counts all the same.
func linkedDocs(ctx context.Context, client *http.Client, s *siteServer, pagePaths []string) ([]string, error) {
	own := func(u *url.URL) bool {
		if u.Host == s.addr {
			return true
		}
		h := hostName(u.Host)
		for _, d := range s.domains {
			if h == d {
				return true
			}
		}
		return false
	}
	found := map[string]bool{}
	for _, p := range pagePaths {
		page := &url.URL{Scheme: "http", Host: s.addr, Path: "/" + strings.TrimPrefix(p, "/")}
		if i := strings.IndexByte(page.Path, '?'); i >= 0 {
			page.Path, page.RawQuery = page.Path[:i], page.Path[i+1:]
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, page.String(), nil)
		if err != nil {
			return nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("read %s of %s for its links: %w", p, s.site.Name, err)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("read %s of %s for its links: %w", p, s.site.Name, err)
		}
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "html") {
			continue
		}
		for _, raw := range pageLinks(charset.Decode(body, resp.Header.Get("Content-Type")).Text) {
			c, ok := crawler.Canonical(page, strings.ReplaceAll(raw, `\`, "/"))
			if !ok {
				continue
			}
			u, err := url.Parse(c)
			if err != nil || !own(u) || !extract.IsAttachmentURL(u) || imageExts[strings.ToLower(path.Ext(u.Path))] {
				continue
			}
			found[pathKey(c)] = true
		}
	}
	out := make([]string, 0, len(found))
	for k := range found {
		out = append(out, k)
	}
	sort.Strings(out)
	return out, nil
}

// pageLinks returns the addresses a page links: <a> and <area> href,
// <iframe>, <frame> and <embed> src, <object> data; a <base href> is
// applied.
func pageLinks(doc string) []string {
	z := html.NewTokenizer(strings.NewReader(doc))
	var out []string
	base := ""
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		var want string
		switch string(name) {
		case "a", "area", "base":
			want = "href"
		case "iframe", "frame", "embed":
			want = "src"
		case "object":
			want = "data"
		default:
			continue
		}
		for hasAttr {
			var k, v []byte
			k, v, hasAttr = z.TagAttr()
			if string(k) != want {
				continue
			}
			val := strings.TrimSpace(string(v))
			if string(name) == "base" {
				base = val
				continue
			}
			if val != "" {
				out = append(out, val)
			}
		}
	}
	if base != "" {
		b, err := url.Parse(base)
		if err == nil {
			for i, l := range out {
				if r, err := b.Parse(l); err == nil && !strings.HasPrefix(l, "//") && !strings.Contains(l, "://") {
					out[i] = r.String()
				}
			}
		}
	}
	return out
}
