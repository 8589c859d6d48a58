# Baton's attempt guard: one small process per command attempt, between the worker JVM and the attempt, so that
# no process of the attempt outlives the worker's authority to run it. Runs on perl-base alone (no module but
# strict, for a start-up of a few milliseconds), Linux on x86_64 or aarch64 (ARCH as the JVM's os.arch says it).
#
#   perl attempt-guard.pl check ARCH
#       prints "ok NOW_NS" (its CLOCK_MONOTONIC reading) when this machine supports the guard (exit 0), else the
#       reason (exit 1).
#   perl attempt-guard.pl run ARCH LEASE_DEADLINE_NS MAX_LEASE_MS -- ARGV...
#       runs ARGV as the attempt and guards it.
#
# The guard makes itself a child subreaper (PR_SET_CHILD_SUBREAPER): every process the attempt starts, also one
# that double-forks or calls setsid, stays its descendant. The attempt runs in a session of its own, stdin from
# /dev/null, stdout and stderr to the guard's stderr (the attempt's log). The guard kills every descendant with
# SIGKILL and reaps them until it has no child left, then exits, as soon as one of these happens:
#   - the attempt's main process ended             -> prints "exit N" or "signal N", exits N or 128+N
#   - SIGTERM, or "kill" on stdin (a kill)         -> prints "killed", exits 137
#   - stdin reached EOF: the worker process died   -> prints "orphaned", exits 137
#   - the lease passed: the worker stopped renewing it (frozen, or no leader acknowledged it in time)
#                                                  -> prints "lease-expired", exits 137
# The lease is a deadline on CLOCK_MONOTONIC (the clock of the JVM's System.nanoTime on Linux), renewed by
# "lease DEADLINE_NS" lines on stdin; a deadline further than MAX_LEASE_MS from now is cut to that. A program that
# cannot even start prints "exec-failed REASON" and exits 127. Processes still alive 10 s into a kill (stuck in
# the kernel) are named in a "survivors PID,..." line before the result.
use strict;

my %SYSCALLS = (
  amd64   => { prctl => 157, setsid => 112, clock_gettime => 228 },
  x86_64  => { prctl => 157, setsid => 112, clock_gettime => 228 },
  aarch64 => { prctl => 167, setsid => 157, clock_gettime => 113 },
);
my $PR_SET_CHILD_SUBREAPER = 36;
my $CLOCK_MONOTONIC = 1;
my $WNOHANG = 1;
my $EINTR = 4;
my $KILL_PATIENCE_NS = 10_000_000_000;

my $mode = shift(@ARGV) // '';
my $arch = shift(@ARGV) // '';
my $sys = $SYSCALLS{$arch};
$| = 1;

sub now_ns {
  my $ts = "\0" x 16;
  syscall($sys->{clock_gettime}, $CLOCK_MONOTONIC, $ts) == 0 or die "clock_gettime: $!\n";
  my ($s, $ns) = unpack('q q', $ts);
  return $s * 1_000_000_000 + $ns;
}

sub become_subreaper {
  return syscall($sys->{prctl}, $PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
}

if ($mode eq 'check') {
  if (!$sys || $^O ne 'linux') {
    print "unsupported platform $^O on $arch (the guard knows Linux on x86_64 and aarch64)\n";
    exit 1;
  }
  if (!become_subreaper()) {
    print "prctl(PR_SET_CHILD_SUBREAPER) failed: $!\n";
    exit 1;
  }
  print 'ok ', now_ns(), "\n";
  exit 0;
}
die "usage: attempt-guard.pl check ARCH | run ARCH LEASE_DEADLINE_NS MAX_LEASE_MS -- ARGV...\n"
  unless $mode eq 'run' && @ARGV >= 4 && $ARGV[0] =~ /^-?\d+$/ && $ARGV[1] =~ /^\d+$/ && $ARGV[2] eq '--';
die "unsupported platform $^O on $arch\n" unless $sys;
my ($deadline, $max_lease_ms) = (shift(@ARGV), shift(@ARGV));
shift(@ARGV);
my @command = @ARGV;
my $max_lease_ns = $max_lease_ms * 1_000_000;

become_subreaper() or die "prctl(PR_SET_CHILD_SUBREAPER) failed: $!\n";
syscall($sys->{setsid});    # out of the worker's process group: a signal to that group (Ctrl-C, kill -9 -PGID)
                            # leaves the guard alive to see its stdin close and kill the attempt
if ($deadline - now_ns() <= 0) {
  print "lease-expired\n";
  exit 137;
}
my ($terminate, $status) = (0, undef);
$SIG{TERM} = sub { $terminate = 1 };
$SIG{CHLD} = sub { };    # only to cut the select below short
$SIG{$_} = 'IGNORE' for qw(INT HUP QUIT PIPE);

pipe(my $exec_error_r, my $exec_error_w) or die "pipe: $!\n";    # both close-on-exec
my $child = fork();
if (!defined $child) {
  print "exec-failed fork: $!\n";
  exit 127;
}
if ($child == 0) {
  close $exec_error_r;
  $SIG{$_} = 'DEFAULT' for qw(TERM CHLD INT HUP QUIT PIPE);
  syscall($sys->{setsid});
  open(STDIN, '<', '/dev/null');
  open(STDOUT, '>&', \*STDERR);
  exec { $command[0] } @command;
  print {$exec_error_w} "$!";
  close $exec_error_w;
  exit 127;
}
close $exec_error_w;
my $exec_error = do { local $/; <$exec_error_r> };
close $exec_error_r;
if (defined $exec_error && length $exec_error) {
  waitpid($child, 0);
  print STDERR "could not start $command[0]: $exec_error\n";
  print "exec-failed $exec_error\n";
  exit 127;
}

my $reason;
my $input = '';
while (1) {
  reap();
  if (defined $status) { $reason = 'exit'; last; }
  if ($terminate)      { $reason = 'killed'; last; }
  my $left = $deadline - now_ns();
  if ($left <= 0)      { $reason = 'lease-expired'; last; }
  my $wait = $left / 1e9;
  $wait = 0.1 if $wait > 0.1;
  my $in = '';
  vec($in, fileno(STDIN), 1) = 1;
  my $ready = select(my $out = $in, undef, undef, $wait);
  next unless $ready && $ready > 0;
  my $got = sysread(STDIN, $input, 4096, length $input);
  if (!defined $got) {
    next if $! == $EINTR;
    $reason = 'orphaned';
    last;
  }
  if ($got == 0) { $reason = 'orphaned'; last; }
  while ($input =~ s/^([^\n]*)\n//) {
    my $line = $1;
    if ($line =~ /^lease (-?\d+)$/) {
      my $cap = now_ns() + $max_lease_ns;
      $deadline = $1 < $cap ? $1 : $cap;
    } elsif ($line eq 'kill') {
      $terminate = 1;
    }
  }
  $input = '' if length $input > 4096;
}

kill_everything();
if ($reason eq 'exit') {
  if ($status & 127) {
    print 'signal ', $status & 127, "\n";
    exit 128 + ($status & 127);
  }
  print 'exit ', $status >> 8, "\n";
  exit $status >> 8;
}
print "$reason\n";
exit 137;

sub reap {
  while ((my $pid = waitpid(-1, $WNOHANG)) > 0) {
    $status = $? if $pid == $child && !defined $status;
  }
}

# SIGKILL to every descendant until no child is left. While the main process is not reaped its pid cannot be
# reused, so its session's process group is safe to signal too; after that only the descendants found are.
# As a subreaper the guard is the ancestor of everything the attempt started, so once it has no child left,
# nothing of the attempt remains (and the common case, a main process that left nothing behind, costs no scan).
sub kill_everything {
  my $give_up = now_ns() + $KILL_PATIENCE_NS;
  while (1) {
    my $pid;
    while (($pid = waitpid(-1, $WNOHANG)) > 0) {
      $status = $? if $pid == $child && !defined $status;
    }
    return if $pid < 0;
    kill 'KILL', -$child unless defined $status;
    my @victims = descendants();
    kill 'KILL', @victims if @victims;
    if (now_ns() > $give_up) {
      print 'survivors ', join(',', descendants()), "\n";
      return;
    }
    select(undef, undef, undef, 0.01);
  }
}

sub descendants {
  opendir(my $proc, '/proc') or return ();
  my %children;
  for my $pid (grep { /^\d+$/ } readdir $proc) {
    open(my $stat, '<', "/proc/$pid/stat") or next;
    my $line = <$stat>;
    close $stat;
    next unless defined $line;
    my $end = rindex($line, ')');
    next if $end < 0;
    my (undef, $ppid) = split(' ', substr($line, $end + 2));
    push @{ $children{$ppid} }, $pid if defined $ppid;
  }
  closedir $proc;
  my (@found, @queue);
  @queue = ($$);
  while (@queue) {
    for my $kid (@{ $children{ shift @queue } || [] }) {
      push @found, $kid;
      push @queue, $kid;
    }
  }
  return @found;
}
