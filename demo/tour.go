package demo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"perenos"
	"perenos/portal/server"
	"perenos/sheet"
	"perenos/store"
)

// TourOptions say where the tour's servers listen and where its files go.
type TourOptions struct {
	// Dir receives region.csv and tokens.csv (mode 600) for the tour's
	// commands, and the portal's storage (Dir/portal).
	Dir string
	// SitesHost is the loopback host; the sites listen on FirstPort,
	// FirstPort+1, ..., the portal on PortalPort.
	SitesHost  string
	FirstPort  int
	PortalPort int
}

// Tour is the demo region served for a person to try the commands on:
// the legacy sites at real loopback addresses and the reference portal.
type Tour struct {
	Sites     map[string]string // organisation ID → its legacy site's URL
	PortalURL string
	Registry  string // region.csv
	Tokens    string // tokens.csv
	servers   []*http.Server
	portal    *server.Server
}

// ServeTour starts the demo's legacy sites and a reference portal at fixed
// loopback addresses and writes the registry and tokens that name them, so
// that the README's tour runs as written. Close stops them.
func ServeTour(opt TourOptions) (*Tour, error) {
	if opt.SitesHost == "" {
		opt.SitesHost = "127.0.0.1"
	}
	if opt.FirstPort == 0 {
		opt.FirstPort = 8081
	}
	if opt.PortalPort == 0 {
		opt.PortalPort = 8090
	}
	if err := os.MkdirAll(filepath.Join(opt.Dir, "portal"), 0o700); err != nil {
		return nil, fmt.Errorf("tour folder %s: %w", opt.Dir, err)
	}
	t := &Tour{Sites: map[string]string{}}
	listen := func(port int) (net.Listener, error) {
		addr := net.JoinHostPort(opt.SitesHost, fmt.Sprint(port))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("listen on %s: %w (another program uses the port: choose others with --first-port and --portal-port)", addr, err)
		}
		return ln, nil
	}
	var orgs []Site
	port := opt.FirstPort
	for _, site := range Region {
		o := site
		if site.Dir != "" {
			sub, err := fs.Sub(perenos.DemoSites, "testdata/sites/"+site.Dir)
			if err != nil {
				t.Close()
				return nil, err
			}
			ln, err := listen(port)
			if err != nil {
				t.Close()
				return nil, err
			}
			port++
			srv := &http.Server{Handler: StaticSite(sub), ReadHeaderTimeout: 5 * time.Second}
			go srv.Serve(ln)
			t.servers = append(t.servers, srv)
			o.Org.LegacyURL = "http://" + ln.Addr().String() + "/"
			t.Sites[o.Org.ID] = o.Org.LegacyURL
		}
		orgs = append(orgs, o)
	}
	tokens, err := portalTokens(filepath.Join(opt.Dir, "portal"), orgsOf(orgs))
	if err != nil {
		t.Close()
		return nil, err
	}
	ln, err := listen(opt.PortalPort)
	if err != nil {
		t.Close()
		return nil, err
	}
	t.PortalURL = "http://" + ln.Addr().String()
	psrv, err := server.NewServer(server.Config{DataFile: filepath.Join(opt.Dir, "portal", "portal.db"), Tokens: tokens, BaseURL: t.PortalURL})
	if err != nil {
		ln.Close()
		t.Close()
		return nil, fmt.Errorf("reference portal: %w", err)
	}
	t.portal = psrv
	hs := &http.Server{Handler: psrv.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	t.servers = append(t.servers, hs)

	t.Registry = filepath.Join(opt.Dir, "region.csv")
	if err := writeRegistry(t.Registry, orgs); err != nil {
		t.Close()
		return nil, err
	}
	t.Tokens = filepath.Join(opt.Dir, "tokens.csv")
	data, err := os.ReadFile(filepath.Join(opt.Dir, "portal", "tokens.csv"))
	if err == nil {
		err = os.WriteFile(t.Tokens, data, 0o600)
	}
	if err == nil {
		err = os.Chmod(t.Tokens, 0o600)
	}
	if err != nil {
		t.Close()
		return nil, fmt.Errorf("tour tokens: %w", err)
	}
	return t, nil
}

func orgsOf(sites []Site) []store.Org {
	out := make([]store.Org, len(sites))
	for i, s := range sites {
		out[i] = s.Org
	}
	return out
}

// writeRegistry writes the tour's registry as Excel in a Russian locale
// saves it: semicolons, a BOM, the registry's own column names.
func writeRegistry(path string, sites []Site) error {
	var b strings.Builder
	c := sheet.NewCSV(&b, sheet.ExcelRU)
	c.Row(sheet.Texts("id", "name", "type", "region", "district", "legacy_url", "portal_site")...)
	for _, s := range sites {
		o := s.Org
		c.Row(sheet.Texts(o.ID, o.Name, string(o.Type), o.Region, o.District, o.LegacyURL, o.PortalSite)...)
	}
	if err := c.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("tour registry: %w", err)
	}
	return nil
}

// Wait blocks until ctx ends.
func (t *Tour) Wait(ctx context.Context) { <-ctx.Done() }

// Close stops the sites and the portal.
func (t *Tour) Close() error {
	var errs []error
	for _, s := range t.servers {
		errs = append(errs, s.Close())
	}
	if t.portal != nil {
		errs = append(errs, t.portal.Close())
	}
	return errors.Join(errs...)
}
