# The lab's server (sourced by run.sh, not run): content, configs and the four daemons, all
# started inside the server namespace with configs, keys, pid files and logs in the run's temp
# directory, so the host's own copies (if any) are neither used nor disturbed.
# shellcheck shell=bash

# make_content WORK: web pages and FTP files of varied sizes and kinds (compressible text and
# random bytes), plus the lists the clients pick from.
make_content() {
    local work="$1" size i
    mkdir -p "$work/www/docs" "$work/www/img" "$work/ftp/pub" "$work/home"
    {
        echo "<html><head><title>lab.test</title></head><body><h1>Portcullis lab</h1><ul>"
        for i in $(seq 1 20); do echo "<li><a href=\"docs/page$i.html\">page $i</a></li>"; done
        echo "</ul></body></html>"
    } >"$work/www/index.html"
    for i in $(seq 1 20); do
        # Text pages from ~1 KiB to ~200 KiB: repeated prose, as compressible as real pages.
        size=$((i * i * 512))
        {
            echo "<html><body><h2>page $i</h2><pre>"
            head -c "$size" < <(yes "The quick brown fox jumps over the lazy dog; lab page $i of 20.")
            echo "</pre></body></html>"
        } >"$work/www/docs/page$i.html"
        echo "/docs/page$i.html" >>"$work/pages.txt"
    done
    echo "/" >>"$work/pages.txt"
    for size in 2048 16384 131072 524288 2097152; do
        head -c "$size" /dev/urandom >"$work/www/img/blob$size.bin"
        echo "/img/blob$size.bin" >>"$work/pages.txt"
        head -c "$size" /dev/urandom >"$work/ftp/pub/file$size.bin"
        echo "/pub/file$size.bin" >>"$work/ftpfiles.txt"
    done
    head -c 4096 < <(yes "lab ftp readme line") >"$work/ftp/pub/README.txt"
    echo "/pub/README.txt" >>"$work/ftpfiles.txt"
    printf '%s\n' www ftp ssh mail ns1 intranet wiki git backup db1 db2 api static \
        >"$work/names.txt"
    chmod -R a+rX "$work/www" "$work/ftp"
}

# make_user WORK PASSWORD: the temporary login used by SSH and FTP clients, home in WORK.
make_user() {
    local work="$1" password="$2"
    useradd --no-create-home --home-dir "$work/home/$LAB_USER" --shell /bin/bash \
        --comment "portcullis lab (temporary)" "$LAB_USER"
    mkdir -p "$work/home/$LAB_USER"
    head -c 65536 /dev/urandom >"$work/home/$LAB_USER/data.bin"
    echo "notes of the lab user" >"$work/home/$LAB_USER/notes.txt"
    chown -R "$LAB_USER:" "$work/home/$LAB_USER"
    chmod 755 "$work/home"
    echo "$LAB_USER:$password" | chpasswd
}

# write_configs WORK: sshd, vsftpd and dnsmasq configurations of the lab's own.
write_configs() {
    local work="$1"
    mkdir -p "$work/ssh" "$work/vsftpd-empty" "$work/logs"
    ssh-keygen -q -t ed25519 -N '' -C lab -f "$work/ssh/host_ed25519"
    ssh-keygen -q -t ecdsa -N '' -C lab -f "$work/ssh/host_ecdsa"
    cat >"$work/ssh/sshd_config" <<EOF
Port 22
ListenAddress $SRV_IP
HostKey $work/ssh/host_ed25519
HostKey $work/ssh/host_ecdsa
PidFile $work/ssh/sshd.pid
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication no
PermitRootLogin no
AllowUsers $LAB_USER
MaxAuthTries 6
MaxStartups 60:30:120
LoginGraceTime 20
UseDNS no
PrintMotd no
Subsystem sftp internal-sftp
EOF
    cat >"$work/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=$SRV_IP
background=NO
anonymous_enable=YES
no_anon_password=YES
anon_root=$work/ftp
local_enable=YES
write_enable=NO
userlist_enable=NO
pam_service_name=vsftpd
secure_chroot_dir=$work/vsftpd-empty
seccomp_sandbox=NO
pasv_enable=YES
pasv_min_port=30000
pasv_max_port=30200
max_clients=60
max_per_ip=30
idle_session_timeout=30
data_connection_timeout=30
xferlog_enable=YES
xferlog_file=$work/logs/vsftpd-xfer.log
vsftpd_log_file=$work/logs/vsftpd.log
EOF
    local i name
    : >"$work/dns-hosts"
    i=100
    while read -r name; do
        echo "198.18.1.$i $name.lab.test" >>"$work/dns-hosts"
        i=$((i + 1))
    done <"$work/names.txt"
    cat >"$work/dnsmasq.conf" <<EOF
no-resolv
no-hosts
no-poll
bind-interfaces
listen-address=$SRV_IP
port=53
local=/lab.test/
local=/18.198.in-addr.arpa/
addn-hosts=$work/dns-hosts
host-record=server.lab.test,$SRV_IP
mx-host=lab.test,mail.lab.test,10
txt-record=lab.test,"portcullis lab zone"
srv-host=_ftp._tcp.lab.test,ftp.lab.test,21
pid-file=$work/dnsmasq.pid
user=nobody
group=nogroup
log-queries
log-facility=-
EOF
}

# wait_listening NS PROTO PORT: waits (up to 10 s) until something in NS listens on PORT.
wait_listening() {
    local ns="$1" proto="$2" port="$3" tries=0 flag=-ltnH
    [[ "$proto" == udp ]] && flag=-lunH
    while ((tries < 100)); do
        if ip netns exec "$ns" ss "$flag" "sport = :$port" | grep -q .; then
            return 0
        fi
        sleep 0.1
        tries=$((tries + 1))
    done
    log lab "service on $proto/$port did not come up in $ns"
    return 1
}

# start_services WORK: starts HTTP, SSH, FTP and DNS in the server namespace; they are stopped
# by teardown (every process of the namespace).
start_services() {
    local work="$1"
    # sshd insists on its privilege separation directory; the distribution's own service creates
    # the same empty root-owned directory, so it is left in place.
    mkdir -p /run/sshd
    ip netns exec "$NS_SRV" python3 -m http.server 80 --bind "$SRV_IP" --directory "$work/www" \
        >"$work/logs/http.log" 2>&1 &
    ip netns exec "$NS_SRV" /usr/sbin/sshd -D -e -f "$work/ssh/sshd_config" \
        >"$work/logs/sshd.log" 2>&1 &
    ip netns exec "$NS_SRV" /usr/sbin/vsftpd "$work/vsftpd.conf" >"$work/logs/vsftpd.out" 2>&1 &
    ip netns exec "$NS_SRV" /usr/sbin/dnsmasq --keep-in-foreground --conf-file="$work/dnsmasq.conf" \
        >"$work/logs/dnsmasq.log" 2>&1 &
    wait_listening "$NS_SRV" tcp 80
    wait_listening "$NS_SRV" tcp 22
    wait_listening "$NS_SRV" tcp 21
    wait_listening "$NS_SRV" udp 53
}
