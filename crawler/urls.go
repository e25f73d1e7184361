package crawler

import (
	"net/url"
	"path"
	"perenos/links"
	"sort"
	"strings"
)

// sessionParams are query parameters that identify a visit, not a resource.
var sessionParams = map[string]bool{
	"phpsessid": true, "sid": true, "sessionid": true, "session_id": true, "jsessionid": true,
	"fbclid": true, "gclid": true, "yclid": true, "_openstat": true, "from": false,
}

// Canonical returns the canonical form of raw resolved against base: no
// fragment, no session or tracking parameters, sorted query, lower-case
// host without the default port, dot segments removed. ok is false for
// URLs that are not http(s).
func Canonical(base *url.URL, raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" || strings.HasPrefix(raw, "#") {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", false
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	return canonicalURL(u)
}

func canonicalURL(u *url.URL) (string, bool) {
	s, _, ok := canonical(u)
	return s, ok
}

// canonical is canonicalURL with the canonical URL parsed.
func canonical(u *url.URL) (string, *url.URL, bool) {
	c := *u
	c.Scheme = strings.ToLower(c.Scheme)
	if c.Scheme != "http" && c.Scheme != "https" || c.Host == "" {
		return "", nil, false
	}
	c.Host = strings.ToLower(c.Host)
	if h, p := splitPort(c.Host); (c.Scheme == "http" && p == "80") || (c.Scheme == "https" && p == "443") {
		c.Host = h
	}
	c.Fragment, c.RawFragment, c.User = "", "", nil
	// Dot segments are removed from the path as written: an escaped slash
	// (%2F) is part of a segment, never a separator, so /a%2F..%2Fetc stays
	// one segment and is requested as written.
	esc := cleanEscapedPath(c.EscapedPath())
	p, err := url.PathUnescape(esc)
	if err != nil {
		return "", nil, false
	}
	c.Path, c.RawPath = p, esc
	if c.RawQuery != "" {
		q := c.Query()
		for k := range q {
			lk := strings.ToLower(k)
			if sessionParams[lk] || strings.HasPrefix(lk, "utm_") {
				q.Del(k)
			}
		}
		c.RawQuery = encodeSorted(q)
	}
	c.ForceQuery = false
	return c.String(), &c, true
}

func encodeSorted(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		vs := append([]string(nil), q[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k))
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(v))
		}
	}
	return b.String()
}

func splitPort(hostport string) (string, string) {
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 && !strings.Contains(hostport[i:], "]") {
		return hostport[:i], hostport[i+1:]
	}
	return hostport, ""
}

// scope decides which hosts belong to a site: the legacy host, its www.
// twin, and configured aliases.
type scope map[string]bool

func newScope(legacy *url.URL, aliases []string) scope {
	s := scope{}
	add := func(host string) {
		host = strings.ToLower(host)
		h, p := splitPort(host)
		h = strings.TrimPrefix(h, "www.")
		for _, x := range []string{h, "www." + h} {
			if p != "" {
				x += ":" + p
			}
			s[x] = true
		}
	}
	add(legacy.Host)
	for _, a := range aliases {
		if a = strings.TrimSpace(a); a != "" {
			if u, err := url.Parse(a); err == nil && u.Host != "" {
				add(u.Host)
			} else {
				add(a)
			}
		}
	}
	return s
}

func (s scope) contains(u *url.URL) bool {
	h := strings.ToLower(u.Host)
	if s[h] {
		return true
	}
	// default ports are dropped by Canonical
	hn, p := splitPort(h)
	return (p == "80" || p == "443") && s[hn]
}

// IsAttachmentURL reports whether a URL names a file by its extension.
func IsAttachmentURL(u *url.URL) bool { return links.IsFile(u) }

// cleanEscapedPath removes dot segments and empty segments from an
// escaped path, keeping a trailing slash, the way path.Clean does for an
// unescaped one; escaped characters stay as they are.
func cleanEscapedPath(p string) string {
	if p == "" {
		return "/"
	}
	trailing := strings.HasSuffix(p, "/") || strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..")
	var out []string
	for _, seg := range strings.Split(p, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	s := "/" + strings.Join(out, "/")
	if trailing && s != "/" {
		s += "/"
	}
	return s
}

// fileName is the original file name an attachment URL carries.
func fileName(u *url.URL) string {
	name := path.Base(u.Path)
	if name == "/" || name == "." {
		return ""
	}
	return name
}
