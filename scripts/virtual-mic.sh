#!/usr/bin/env bash
# Start PulseAudio with a virtual microphone: a null sink whose monitor is remapped as the
# default source. `paplay speech.flac` then "speaks" into it and PortAudio records it.
# Idempotent. Prints the XDG_RUNTIME_DIR to export for clients.
set -euo pipefail
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp/dictation-app-xdg-$(id -u)}
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
if ! pactl info >/dev/null 2>&1; then
  pulseaudio --daemonize=yes --exit-idle-time=-1 -n \
    --load=module-native-protocol-unix --load="module-null-sink sink_name=vmic_sink" >/dev/null 2>&1
  for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
fi
pactl list short sources | grep -q $'\tvmic\t' || pactl load-module module-remap-source master=vmic_sink.monitor source_name=vmic >/dev/null
pactl set-default-source vmic
pactl set-default-sink vmic_sink
echo "$XDG_RUNTIME_DIR"
