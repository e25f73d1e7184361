// Package demo runs the bundled demo region: it serves the legacy demo
// sites on loopback under stable virtual host names, starts the reference
// portal, imports a registry for the sites, and runs every stage with
// automatic approval.
package demo

import (
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"perenos"
	"perenos/store"
)

// Site is one bundled legacy site and the organisation it belongs to.
type Site struct {
	Dir string // folder under testdata/sites
	Org store.Org
}

// Region is the demo region's registry. The preschool has no legacy site
// and goes straight to mapping with an empty plan.
var Region = []Site{
	{Dir: "school", Org: store.Org{ID: "3801012345", Name: "МБОУ «Средняя общеобразовательная школа № 7» г. Ангарска", Type: store.School,
		Region: "Иркутская область", District: "Ангарский городской округ", LegacyURL: "http://sch7-angarsk.demo/", PortalSite: "sh7-angarsk-r38"}},
	{Dir: "hospital", Org: store.Org{ID: "3801023456", Name: "ОГБУЗ «Ангарская городская больница № 1»", Type: store.Medical,
		Region: "Иркутская область", District: "Ангарский городской округ", LegacyURL: "http://agb1-angarsk.demo/", PortalSite: "med-agb1-angarsk-r38"}},
	{Dir: "municipal", Org: store.Org{ID: "3819003456", Name: "Администрация Усольского муниципального района", Type: store.Municipal,
		Region: "Иркутская область", District: "Усольский район", LegacyURL: "http://usolie-raion.demo/", PortalSite: "usolskiy-raion-r38"}},
	{Dir: "", Org: store.Org{ID: "3801034567", Name: "МБДОУ «Детский сад № 12» г. Ангарска", Type: store.Preschool,
		Region: "Иркутская область", District: "Ангарский городской округ", LegacyURL: "", PortalSite: "ds12-angarsk-r38"}},
}

// Sites serves the demo sites on loopback, one listener each, and maps
// their virtual host names to those listeners.
type Sites struct {
	addrs map[string]string // "host:80" → "127.0.0.1:port"
	srvs  []*http.Server
	mu    sync.Mutex
	hits  map[string]int
}

// Serve starts the demo sites.
func Serve() (*Sites, error) {
	s := &Sites{addrs: map[string]string{}, hits: map[string]int{}}
	for _, site := range Region {
		if site.Dir == "" {
			continue
		}
		sub, err := fs.Sub(perenos.DemoSites, "testdata/sites/"+site.Dir)
		if err != nil {
			return nil, err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("serve demo site %s: %w", site.Dir, err)
		}
		srv := &http.Server{Handler: s.count(site.Dir, StaticSite(sub)), ReadHeaderTimeout: 5 * time.Second}
		go srv.Serve(ln)
		s.srvs = append(s.srvs, srv)
		host := strings.TrimSuffix(strings.TrimPrefix(site.Org.LegacyURL, "http://"), "/")
		s.addrs[host+":80"] = ln.Addr().String()
	}
	return s, nil
}

func (s *Sites) count(name string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[name]++
		s.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// Resolve maps a demo host to its loopback listener (other hosts pass through).
func (s *Sites) Resolve(hostport string) string {
	if a, ok := s.addrs[hostport]; ok {
		return a
	}
	return hostport
}

// Addr returns the loopback address serving a demo host ("" if none).
func (s *Sites) Addr(host string) string { return s.addrs[host+":80"] }

// Close stops the servers.
func (s *Sites) Close() {
	for _, srv := range s.srvs {
		srv.Close()
	}
}

// StaticSite serves a legacy site's files: a folder URL serves its
// index.html, and HTML goes out without a charset parameter so that the
// page's own <meta> decides, as on the old hosting.
func StaticSite(fsys fs.FS) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if p == "" || strings.HasSuffix(r.URL.Path, "/") {
			p = path.Join(p, "index.html")
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				if st, serr := fs.Stat(fsys, p); serr == nil && st.IsDir() {
					http.Redirect(w, r, r.URL.Path+"/", http.StatusMovedPermanently)
					return
				}
			}
			http.NotFound(w, r)
			return
		}
		ct := mime.TypeByExtension(path.Ext(p))
		switch {
		case strings.HasSuffix(p, ".html") || strings.HasSuffix(p, ".htm") || strings.HasSuffix(p, ".php"):
			ct = "text/html"
		case ct == "":
			ct = "application/octet-stream"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Last-Modified", "Mon, 04 Sep 2023 08:00:00 GMT")
		w.Write(data)
	})
}
