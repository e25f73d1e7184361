package realsites

import (
	"io/fs"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/net/idna"
)

// pageExts are the files of a site folder that are pages (read for links).
var pageExts = map[string]bool{".html": true, ".htm": true, ".php": true, ".shtml": true}

// absLink finds absolute http(s) addresses in attributes that link or
// name a page (href, src, action, and content of <meta> such as og:url).
var absLink = regexp.MustCompile(`(?i)(?:href|src|action|content)\s*=\s*["']?\s*(?:https?:)?//([^/"'\s>?#\\]+)([^"'\s>?#]*)`)

// Domains finds a site's original host names from its own pages: a host
// is the site's when absolute links to it name at least two files of the
// site's folder (not the root, not a folder's index file, which another
// site may have too), as a menu written with full addresses does. Names
// are lower-case ASCII (IDNA), without www.
func Domains(root string) ([]string, error) {
	matched := map[string]map[string]bool{} // host → paths that name files of the folder
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !pageExts[strings.ToLower(filepath.Ext(p))] {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range absLink.FindAllSubmatch(data, -1) {
			host := hostName(string(m[1]))
			if host == "" {
				continue
			}
			if p, ok := names(root, string(m[2])); ok {
				if matched[host] == nil {
					matched[host] = map[string]bool{}
				}
				matched[host][p] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []string
	for h, paths := range matched {
		if len(paths) >= 2 {
			out = append(out, h)
		}
	}
	sort.Strings(out)
	return out, nil
}

// hostName returns a link's host as the crawler will dial it: lower-case
// ASCII without port and www., or "" for an address literal.
func hostName(h string) string {
	if un, err := url.PathUnescape(h); err == nil {
		h = un
	}
	if i := strings.LastIndexByte(h, '@'); i >= 0 {
		h = h[i+1:]
	}
	if hh, _, err := net.SplitHostPort(h); err == nil {
		h = hh
	}
	h = strings.TrimSuffix(strings.ToLower(h), ".")
	if h == "" || net.ParseIP(strings.Trim(h, "[]")) != nil || !strings.Contains(h, ".") {
		return ""
	}
	if a, err := idna.Lookup.ToASCII(h); err == nil {
		h = a
	}
	return strings.TrimPrefix(h, "www.")
}

// names reports whether a link's path names a regular file of the site's
// folder other than a folder's index, and returns it cleaned.
func names(root, p string) (string, bool) {
	if un, err := url.PathUnescape(p); err == nil {
		p = un
	}
	p = strings.Trim(path.Clean("/"+p), "/")
	if p == "" || strings.HasPrefix(path.Base(p), "index.") {
		return "", false
	}
	st, err := os.Stat(filepath.Join(root, filepath.FromSlash(p)))
	return p, err == nil && st.Mode().IsRegular()
}
