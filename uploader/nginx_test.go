package uploader_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"perenos/mapping"
	"perenos/pipeline"
	"perenos/uploader"
)

// nginxBinary finds nginx, or skips the test (fails it under CI=true).
func nginxBinary(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx"
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("nginx is not installed (Debian nginx-light); CI must run this test")
	}
	t.Skip("nginx is not installed (apt-get install nginx-light): the redirect map is not checked through nginx")
	return ""
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestRedirectMapThroughNginx is issue 16 item 2: the nginx snippet that
// `perenos redirects --format nginx` prints passes `nginx -t` when used as
// it says, and a request for an old address, through nginx, lands on the
// right page of the reference portal.
func TestRedirectMapThroughNginx(t *testing.T) {
	bin := nginxBinary(t)
	plan := schoolPlan()
	plan.Sections[4].Items = append(plan.Sections[4].Items, mapping.Item{Key: "gap:contacts/map", Kind: mapping.KindPage, Title: "Схема проезда", Body: "Остановка «Школа»"})
	plan.Excluded = append(plan.Excluded, mapping.Item{Key: "/print/paid_edu.html", SourceURL: "http://sch7.example/print/paid_edu.html?print=1&lang=ru",
		Kind: mapping.KindPage, Reason: "копия страницы", CopyOf: "http://sch7.example/sveden/paid_edu.html"})
	f := approvedSite(t, plan, map[string][]byte{"ustav": ustav})
	p := startPortal(t, t.TempDir())
	if out := f.run(t, pipeline.Upload{Portal: p.portal()}); out.Error != "" {
		t.Fatal(out.Error)
	}
	rs, err := uploader.SiteRedirects(f.ws, f.org, "") // the site's target portal
	if err != nil {
		t.Fatal(err)
	}
	var snippet bytes.Buffer
	if err := uploader.WriteRedirects(&snippet, "nginx", rs); err != nil {
		t.Fatal(err)
	}
	// As the snippet says: the map in the http block, the if in the server
	// block of the old domain.
	mapPart, ifPart, ok := strings.Cut(snippet.String(), "\nif (")
	if !ok {
		t.Fatalf("the snippet has no if for the server block:\n%s", snippet.String())
	}
	ifPart = "if (" + ifPart
	dir := t.TempDir()
	port := freePort(t)
	conf := fmt.Sprintf(`worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
%[2]s
    server {
        listen 127.0.0.1:%[3]d;
        server_name sch7.example;
%[4]s
        return 404;
    }
}
`, dir, mapPart, port, ifPart)
	confFile := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"-p", dir, "-c", confFile, "-e", filepath.Join(dir, "error.log")}
	if out, err := exec.Command(bin, append(args, "-t")...).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t refuses the redirect map: %v\n%s\n%s", err, out, conf)
	}
	// One process (no master and workers), so that stopping it leaves nothing behind.
	cmd := exec.Command(bin, append(args, "-g", "daemon off; master_process off;")...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx did not start: %s", stderr.String())
		}
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(c *http.Client, url, host string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(context.Background(), "GET", url, nil)
		if host != "" {
			req.Host = host
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(body)
	}
	for _, c := range []struct {
		old, lands string // the old address, and what the page it lands on shows
	}{
		{"/sveden/paid_edu.html", "Кружок „Юный программист“"},
		{"/sveden/common.html", "Основные сведения"},
		{"/index.php?id=3", "Договор об оказании услуг"},
		{"/print/paid_edu.html?print=1&lang=ru", "Кружок „Юный программист“"},
		{"/news/1.html", "Линейка в 9:00"},
		{"/files/ustav.pdf", string(ustav)},
	} {
		resp, _ := get(noFollow, base+c.old, "sch7.example")
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusMovedPermanently || !strings.HasPrefix(loc, p.hs.URL+"/sites/"+fixtureSite+"/") {
			t.Errorf("GET %s through nginx: %d to %q, want 301 to the site on the portal", c.old, resp.StatusCode, loc)
			continue
		}
		page, body := get(http.DefaultClient, loc, "")
		if page.StatusCode != 200 || !strings.Contains(body, c.lands) {
			t.Errorf("%s → %s: %d, and the page lacks %q:\n%.300s", c.old, loc, page.StatusCode, c.lands, body)
		}
	}
	// An address the map does not hold is not redirected (the filled gap
	// has no old address, and "/" is not the gap's).
	if resp, _ := get(noFollow, base+"/", "sch7.example"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET / through nginx: %d to %q; the old home page was not migrated, so it must not be redirected", resp.StatusCode, resp.Header.Get("Location"))
	}
}
