"""Microphone capture with sounddevice (PortAudio).

The PortAudio callback only copies each block into a preallocated ring buffer, counts
overflows and wakes the reader; resampling, down-mixing and level metering happen in
:meth:`MicrophoneSource.read`, on the reader's thread. A device that cannot deliver
16 kHz mono is opened at its native rate and channels and converted with soxr.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from dictation_app.audio.decode import SAMPLE_RATE
from dictation_app.audio.sources import InputLevel, level_of
from dictation_app.errors import AudioDeviceError

__all__ = [
    "InputDevice",
    "MicrophoneSource",
    "RingBuffer",
    "hold_portaudio",
    "import_sounddevice",
    "list_input_devices",
    "rescan_devices",
    "start_output",
]


def import_sounddevice():
    """Import sounddevice, turning a missing PortAudio into a message."""
    try:
        import sounddevice
    except OSError as exc:  # sounddevice raises OSError when libportaudio is missing
        raise AudioDeviceError(
            f"Microphone input needs the PortAudio library ({exc}); install it with: sudo apt-get install libportaudio2"
        ) from None
    return sounddevice


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    channels: int
    default_samplerate: float
    is_default: bool


_open_streams: set[int] = set()  # id() of this process's open input streams
#: Held while PortAudio lists devices, restarts, or opens a stream (a restart must not meet another
#: thread inside PortAudio).
_portaudio_lock = threading.RLock()


def hold_portaudio(owner: object, opening: bool) -> None:
    """An output stream's owner (playback) says it opened or closed one: no restart meanwhile."""
    with _portaudio_lock:
        (_open_streams.add if opening else _open_streams.discard)(id(owner))


def _rescan(sd) -> None:
    """Have PortAudio look at the devices again: it lists them once, when it starts, so a
    microphone plugged in (or a sound server started) later is invisible until it restarts.
    Restarting it would end a stream that is open, so that waits until none is."""
    with _portaudio_lock:
        if _open_streams:
            return
        try:
            sd._terminate()
            sd._initialize()
        except sd.PortAudioError:  # the listing that follows says what is wrong
            pass


def rescan_devices() -> None:
    """Have PortAudio list the devices again now, unless a stream is open (an output device
    found missing: a sound server that started after the app)."""
    _rescan(import_sounddevice())


def start_output(owner: object, make_stream, what: str):
    """An output stream made by ``make_stream(sounddevice)``, started and held for ``owner``
    (no device rescan ends it; the owner lets go with ``hold_portaudio(owner, False)`` once it
    is closed). Where it cannot be opened or started, PortAudio looks at the devices again (a
    sound server that started after the app) and it is tried once more; then AudioDeviceError
    says "Cannot <what>"."""
    sd = import_sounddevice()
    for last_try in (False, True):
        hold_portaudio(owner, True)
        stream = None
        try:
            stream = make_stream(sd)
            stream.start()
            return stream
        except (sd.PortAudioError, ValueError) as exc:
            if stream is not None:
                stream.close()
            hold_portaudio(owner, False)
            if last_try:
                raise AudioDeviceError(f"Cannot {what}: {exc}. Is an output device connected?") from None
        rescan_devices()


_listed = False  # PortAudio's own listing (at import) serves the first call


def list_input_devices() -> list[InputDevice]:
    """The input devices as they are now (PortAudio rescanned when no stream is open; the
    first call uses the listing PortAudio made when it started, moments before)."""
    global _listed
    sd = import_sounddevice()
    try:
        with _portaudio_lock:
            if _listed:
                _rescan(sd)
            _listed = True
            devices = sd.query_devices()
            default_in = sd.default.device[0]
    except sd.PortAudioError as exc:
        raise AudioDeviceError(f"Cannot list audio devices: {exc}") from None
    return [
        InputDevice(i, d["name"], d["max_input_channels"], d["default_samplerate"], i == default_in)
        for i, d in enumerate(devices)
        if d["max_input_channels"] > 0
    ]


class RingBuffer:
    """A preallocated frames x channels float32 ring: one writer (the audio callback), one reader.

    When the reader falls so far behind that the ring is full, the oldest audio is
    overwritten and counted in ``dropped_frames``: never silently.
    """

    def __init__(self, frames: int, channels: int) -> None:
        self._data = np.zeros((frames, channels), np.float32)
        self._write = 0  # total frames ever written
        self._read = 0  # total frames ever read
        self._lock = threading.Lock()
        self.ready = threading.Event()
        self.dropped_frames = 0

    def write(self, block: np.ndarray) -> None:
        n, size = len(block), len(self._data)
        skipped = 0
        if n > size:
            block, n, skipped = block[-size:], size, n - size
        with self._lock:
            if skipped:  # the block alone overfills the ring: all unread audio is overwritten
                self.dropped_frames += self._write - self._read + skipped
                self._write += skipped
                self._read = self._write
            start = self._write % size
            first = min(n, size - start)
            self._data[start : start + first] = block[:first]
            self._data[: n - first] = block[first:]
            self._write += n
            overrun = self._write - self._read - size
            if overrun > 0:
                self.dropped_frames += overrun
                self._read += overrun
        self.ready.set()

    def read_all(self) -> np.ndarray:
        with self._lock:
            size = len(self._data)
            n = self._write - self._read
            start = self._read % size
            idx = (start + np.arange(n)) % size
            out = self._data[idx]
            self._read = self._write
            self.ready.clear()
        return out


class MicrophoneSource:
    """Captures an input device as 16 kHz mono float32 blocks.

    Args:
        device: Device index or (part of) its name; None for the default input.
        buffer_s: Seconds the ring holds while the reader is busy decoding.
    """

    #: No callback for this long means the device is gone: a live input delivers silence too.
    STALL_S = 2.0
    #: The first audio may take longer: a Bluetooth headset switching to its microphone, a
    #: sound server waking a suspended source (a null sink's monitor here: 1.7-2.0 s idle), a
    #: busy machine. None this long after opening means the device never started.
    START_S = 6.0
    #: At most this long (plus the stream latency) stop() waits for audio still in flight:
    #: a sound server can hold back several hundred milliseconds of captured audio.
    IN_FLIGHT_S = 1.0

    def __init__(
        self,
        device: int | str | None = None,
        buffer_s: float = 60.0,
        samplerate: int | None = None,
        channels: int | None = None,
    ) -> None:
        self.device = device
        self.buffer_s = buffer_s
        self.requested = (samplerate, channels)  # force a native format (devices that refuse 16 kHz mono)
        self.level = InputLevel(float("-inf"), float("-inf"))
        self.overflows = 0  # PortAudio's input-overflow flags
        self.native_rate = SAMPLE_RATE
        self.channels = 1
        self.device_name = ""
        self._stream = None
        self._ring: RingBuffer | None = None
        self._resampler = None
        self._stopping = False
        self._finished = threading.Event()
        self._last_audio = 0.0
        self._heard = False
        self._stop_at = float("inf")  # PortAudio stream time stop() waits to see captured
        self._caught_up = threading.Event()
        self._first_sample_at: float | None = None  # perf_counter() time of the first captured sample

    @property
    def dropped_frames(self) -> int:
        return self._ring.dropped_frames if self._ring else 0

    def _open(self, sd) -> None:
        """Find the device and open its stream (under the PortAudio lock)."""
        try:
            try:
                info = sd.query_devices(self.device, "input")
            except (ValueError, sd.PortAudioError):  # plugged in since PortAudio listed the devices?
                _rescan(sd)
                info = sd.query_devices(self.device, "input")
        except (ValueError, sd.PortAudioError) as exc:
            which = "default input device" if self.device is None else f"input device {self.device!r}"
            raise AudioDeviceError(f"No {which} found ({exc}). Is a microphone connected?") from None
        self.device_name = info["name"]
        rate, channels = self._pick_format(sd, info)
        self._ring = RingBuffer(int(self.buffer_s * rate), channels)
        self._stopping = False
        self._finished.clear()
        self._caught_up.clear()
        self._stop_at = float("inf")
        self._first_sample_at = None
        self._heard = False  # the reader has had audio from this stream
        self.native_rate, self.channels = rate, channels
        try:
            self._stream = sd.InputStream(
                device=info["index"],
                samplerate=rate,
                channels=channels,
                dtype="float32",
                callback=self._callback,
                finished_callback=self._on_finished,
            )
            self._stream.start()
            _open_streams.add(id(self))
        except sd.PortAudioError as exc:
            raise AudioDeviceError(f"Cannot open {self.device_name}: {exc}") from None

    def start(self) -> None:
        sd = import_sounddevice()
        with _portaudio_lock:  # no restart between finding the device and opening it
            self._open(sd)
        self._last_audio = time.monotonic()
        if self.native_rate != SAMPLE_RATE:
            import soxr

            self._resampler = soxr.ResampleStream(self.native_rate, SAMPLE_RATE, 1, dtype="float32", quality="HQ")

    def _pick_format(self, sd, info) -> tuple[int, int]:
        """16 kHz mono if the device takes it, else its native rate and up to 2 channels."""
        if self.requested != (None, None):
            rate, channels = self.requested
            return int(rate or info["default_samplerate"]), int(channels or 1)
        try:
            sd.check_input_settings(device=info["index"], samplerate=SAMPLE_RATE, channels=1, dtype="float32")
            return SAMPLE_RATE, 1
        except (ValueError, sd.PortAudioError):
            return int(info["default_samplerate"]), max(1, min(2, int(info["max_input_channels"])))

    def _callback(self, indata, frames, time_info, status) -> None:
        # Runs on PortAudio's thread: copy and return. No allocation, logging or Qt here.
        if status.input_overflow:
            self.overflows += 1
        self._ring.write(indata)
        if self._first_sample_at is None:
            self._first_sample_at = time.perf_counter() - frames / self.native_rate
        adc = time_info.inputBufferAdcTime or time_info.currentTime  # some host APIs leave ADC time 0
        if adc + frames / self.native_rate >= self._stop_at:
            self._caught_up.set()

    def wall_time_of(self, seconds: float) -> float | None:
        """perf_counter() time at which the audio ``seconds`` into the stream was captured
        (None before the first block)."""
        return None if self._first_sample_at is None else self._first_sample_at + seconds

    def _on_finished(self) -> None:
        self._finished.set()
        self._caught_up.set()  # nothing more will come

    def _await_in_flight_audio(self) -> None:
        # The last words are still in the driver's and sound server's buffers when the user
        # presses Stop; wait (briefly: the device may be gone) until they have been delivered.
        try:
            timeout = min(2.0, self.IN_FLIGHT_S + self._stream.latency)
            self._stop_at = self._stream.time
        except Exception:
            return
        self._caught_up.wait(timeout)

    def read(self, timeout: float | None = 0.5) -> np.ndarray | None:
        """Next block of 16 kHz mono audio (empty on timeout), or None once stopped.

        Raises:
            AudioDeviceError: the device stopped delivering audio (unplugged, server gone).
        """
        if self._ring is None or (self._stopping and not self._ring.ready.is_set()):
            return None  # stopped, and everything captured has been read
        if not self._stopping:
            self._ring.ready.wait(timeout)
        frames = self._ring.read_all()
        now = time.monotonic()
        if len(frames):
            self._last_audio, self._heard = now, True
        elif not self._stopping and (gone := self._gone(now)):
            raise AudioDeviceError(f"The input device {self.device_name!r} {gone}.")
        mono = frames[:, 0] if frames.shape[1] == 1 else frames.mean(axis=1)
        if self._resampler is not None:
            last = self._stopping  # after stop this is the final read: flush the resampler
            mono = self._resampler.resample_chunk(np.ascontiguousarray(mono), last=last)
        mono = np.ascontiguousarray(mono, dtype=np.float32)
        if len(mono):
            self.level = level_of(mono)
        return mono

    def _gone(self, now: float) -> str | None:
        """Why the device counts as gone, if it does."""
        silent = now - self._last_audio
        if self._finished.is_set() or (self._heard and silent > self.STALL_S):
            return "stopped delivering audio (unplugged?)"
        if not self._heard and silent > self.START_S:
            return f"delivered no audio in {self.START_S:.0f} s after it was opened (switched off, or in use?)"
        return None

    def stop(self) -> None:
        """Stop capturing, once what was said up to now has come through the audio stack."""
        if self._stream is not None and not self._finished.is_set():
            self._await_in_flight_audio()
        self._stopping = True
        if self._stream is not None:
            try:
                self._stream.abort()  # not stop(): it waits on a device that may be gone
                self._stream.close()
            except Exception:  # a vanished device may fail to close; the audio is already read
                pass
            self._stream = None
            with _portaudio_lock:
                _open_streams.discard(id(self))
