package bench

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Memory is what the kernel says of a process's resident memory, in KiB.
type Memory struct {
	RSS, HWM int64 // VmRSS now, VmHWM (the peak since the process started)
}

// ReadMemory reads /proc/<pid>/status.
func ReadMemory(pid int) (Memory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Memory{}, err
	}
	defer f.Close()
	var m Memory
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		v, _ := strconv.ParseInt(fields[0], 10, 64)
		switch name {
		case "VmRSS":
			m.RSS = v
		case "VmHWM":
			m.HWM = v
		}
	}
	return m, sc.Err()
}

// MiB formats KiB as MiB.
func MiB(kib int64) string { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }

// FindListener answers the pid of the process listening on a local TCP port, from
// /proc/net/tcp{,6} and the processes' socket descriptors (only the processes this
// user may inspect).
func FindListener(port int) (int, error) {
	inodes := map[string]bool{}
	for _, file := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) < 10 || f[3] != "0A" { // 0A: LISTEN
				continue
			}
			_, hexPort, _ := strings.Cut(f[1], ":")
			if p, err := strconv.ParseInt(hexPort, 16, 32); err == nil && int(p) == port {
				inodes["socket:["+f[9]+"]"] = true
			}
		}
	}
	if len(inodes) == 0 {
		return 0, fmt.Errorf("no process listens on port %d", port)
	}
	fds, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range fds {
		if link, err := os.Readlink(fd); err == nil && inodes[link] {
			pid, err := strconv.Atoi(strings.Split(fd, "/")[2])
			if err == nil {
				return pid, nil
			}
		}
	}
	return 0, fmt.Errorf("the process listening on port %d is not one this user can inspect; pass --pid", port)
}

// memoryWatch samples a process's RSS while a measurement runs.
type memoryWatch struct {
	pid   int
	stop  chan struct{}
	done  sync.WaitGroup
	mu    sync.Mutex
	max   int64
	n     int
	last  Memory
	phase string
	peaks map[string]int64 // the largest RSS seen in each phase
	order []string
}

// Phase names what runs from now on, for the per-phase peaks.
func (w *memoryWatch) Phase(name string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.phase = name
	if w.peaks == nil {
		w.peaks = map[string]int64{}
	}
	if _, ok := w.peaks[name]; !ok {
		w.order = append(w.order, name)
	}
}

// Peaks answers the phases in order with the largest RSS seen in each.
func (w *memoryWatch) Peaks() []PhasePeak {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []PhasePeak
	for _, p := range w.order {
		out = append(out, PhasePeak{Phase: p, RSS: w.peaks[p]})
	}
	return out
}

// PhasePeak is the largest RSS seen while one part of a run was under way, in KiB.
type PhasePeak struct {
	Phase string
	RSS   int64
}

func watchMemory(pid int, every time.Duration) *memoryWatch {
	w := &memoryWatch{pid: pid, stop: make(chan struct{})}
	if pid <= 0 {
		return w
	}
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			w.sample()
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

func (w *memoryWatch) sample() {
	m, err := ReadMemory(w.pid)
	if err != nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.max = max(w.max, m.RSS)
	if w.phase != "" {
		w.peaks[w.phase] = max(w.peaks[w.phase], m.RSS)
	}
	w.last = m
	w.n++
}

// Stop ends the sampling and answers the largest RSS seen and the last reading.
func (w *memoryWatch) Stop() (maxRSS int64, last Memory) {
	if w.pid > 0 {
		close(w.stop)
		w.done.Wait()
		w.sample()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.max, w.last
}

// ReadCPU answers the CPU time a process has used (user + system), from
// /proc/<pid>/stat; with it a report can say what a request costs the server however
// busy the machine is.
func ReadCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces: the fields start after its closing parenthesis.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	const clockTicks = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}
