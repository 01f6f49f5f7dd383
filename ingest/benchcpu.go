package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The benchmark shares the cores with the broker and ClickHouse, so it reports where the CPU
// went: this process, and the servers it talks to when they run on this machine (found by the
// process listening on their port).

// localServer is a server process on this machine, found by its listening port.
type localServer struct {
	name string
	pid  int
}

// findLocalServer finds the local process listening on addr's port; false when addr is not on
// this machine or nothing local listens there.
func findLocalServer(name, addr string) (localServer, bool) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return localServer{}, false
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return localServer{}, false
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return localServer{}, false
	}
	inodes := listeningInodes(port)
	if len(inodes) == 0 {
		return localServer{}, false
	}
	fds, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range fds {
		link, err := os.Readlink(fd)
		if err != nil || !strings.HasPrefix(link, "socket:[") {
			continue
		}
		if inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] {
			pid, _ := strconv.Atoi(strings.Split(fd, "/")[2])
			return localServer{name: name, pid: pid}, true
		}
	}
	return localServer{}, false
}

// listeningInodes are the socket inodes listening on port, from /proc/net/tcp and tcp6.
func listeningInodes(port int) map[string]bool {
	out := map[string]bool{}
	want := fmt.Sprintf(":%04X", port)
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			// local_address is field 1, state is field 3 (0A = LISTEN), inode is field 9.
			if len(fields) > 9 && strings.HasSuffix(fields[1], want) && fields[3] == "0A" {
				out[fields[9]] = true
			}
		}
	}
	return out
}

// cpu is the CPU time the process has used so far.
func (s localServer) cpu() time.Duration {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / clockTicks
}

// clockTicks is USER_HZ, 100 on every Linux architecture Go supports.
const clockTicks = 100
