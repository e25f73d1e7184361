package uploader

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"strings"

	"perenos/mapping"
	"perenos/store"
)

// RedirectFormats are the formats WriteRedirects writes.
var RedirectFormats = []string{"csv", "nginx"}

// Redirects lists, for a site's plan, every migrated old URL once with its
// public address on the new site under base, in plan order. They are what
// the old domain should answer once it points at the portal.
func Redirects(org *store.Org, plan *mapping.Plan, base string) []Redirect {
	return layout(Site{Org: org, Base: base}, plan).redirects()
}

// WriteRedirects writes the map from old URLs to new addresses: as CSV
// (from,to,kind), or as an nginx snippet for the server block of the old
// domain once it points at the portal (a map on $request_uri, so that
// query strings match exactly, and one 301).
func WriteRedirects(w io.Writer, format string, rs []Redirect) error {
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"from", "to", "kind"})
		for _, r := range rs {
			cw.Write([]string{r.From, r.To, string(r.Kind)})
		}
		cw.Flush()
		return cw.Error()
	case "nginx":
		var b strings.Builder
		b.WriteString("# perenos: old addresses of the legacy site and their new places on the portal.\n")
		b.WriteString("# Put the map in the http block and the if in the server block of the old domain.\n")
		b.WriteString("map $request_uri $perenos_new_url {\n    default \"\";\n")
		seen := map[string]bool{}
		for _, r := range rs {
			u, err := url.Parse(r.From)
			if err != nil {
				fmt.Fprintf(&b, "    # skipped, not a URL: %s\n", nginxQuote(r.From))
				continue
			}
			req := u.EscapedPath()
			if req == "" {
				req = "/"
			}
			if u.RawQuery != "" {
				req += "?" + u.RawQuery
			}
			if seen[req] {
				continue
			}
			seen[req] = true
			fmt.Fprintf(&b, "    %s %s;\n", nginxQuote(req), nginxQuote(r.To))
		}
		b.WriteString("}\n\nif ($perenos_new_url) {\n    return 301 $perenos_new_url;\n}\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	return fmt.Errorf("redirect format %q: want csv or nginx", format)
}

// nginxQuote makes s one quoted nginx string.
func nginxQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", "", "\r", "", "$", `\$`)
	return `"` + r.Replace(s) + `"`
}
