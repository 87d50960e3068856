// qdeploy_jpeg: JPEG → interleaved 8-bit RGB with the system libjpeg(-turbo), set up as Paddle's PIL pipeline
// decodes (Pillow calls the same library with its defaults): JDCT_ISLOW inverse DCT, fancy upsampling, no scaling,
// RGB output; greyscale is replicated to R=G=B, which is what PIL's convert('RGB') does to an 'L' image (PIL resizes
// the 'L' image first, but the resize treats channels independently, so the order does not change a pixel). Why
// not sharp: its decode call costs twice what the library's decode does (about 3 ms vs 1.5 ms per 500×375 photo),
// and decoding dominates preprocessing. Why not a turbojpeg binding: the ones published hard-code the fast IDCT,
// whose pixels are not PIL's.
//
// Only the plain, documented libjpeg API is used (jpeglib.h, libjpeg.txt). Everything the caller must not act on is
// refused with code ERR_QDEPLOY_JPEG_UNSUPPORTED (CMYK/YCCK, other component counts, non-8-bit samples) so that it
// can fall back to sharp; broken data rejects with ERR_QDEPLOY_JPEG_CORRUPT and libjpeg's own message. libjpeg
// reports fatal errors through error_exit, which by default calls exit(): here it longjmps back to the decode call,
// so a bad file never takes the process down.
//
// Truncation: libjpeg only warns at a premature end of data (JWRN_JPEG_EOF) and pads the image with grey. PIL refuses
// such a file ("image file is truncated") and so does sharp with failOn 'truncated', which the --on_error tests
// expect; so that one warning is an error here. Other warnings (extraneous bytes before a marker, and so on) are
// ignored, as PIL ignores them.
//
// JS API (Node-API, no C++ wrapper library needed for three functions):
//   decode(buf: Uint8Array, out?: Uint8Array): Promise<{ width, height, data: Uint8Array }>
//       on libuv's thread pool, so several images decode at once while JS resizes others; `data` is the first
//       width·height·3 bytes of `out` when given (rejects with ERR_QDEPLOY_JPEG_BUFFER if it is too small), else a
//       new Buffer. Reusing `out` matters: a fresh half-megabyte buffer per image costs page faults (measured: up to
//       as much system time as the decode itself once the heap churns).
//   decodeSync(buf: Uint8Array, out?: Uint8Array): the same, on the calling thread
//   libjpegVersion: string
#include <node_api.h>

#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

// jpeglib.h expects FILE and size_t to be declared before it.
extern "C" {
#include <jpeglib.h>
#include <jerror.h>
}

namespace {

// The same ceiling sharp applies by default (limitInputPixels): a header can claim 65500×65500, and the output buffer
// is allocated from the header before a single scanline is checked.
constexpr unsigned long long kMaxPixels = 0x3FFFull * 0x3FFFull;

enum class Status { kOk, kCorrupt, kUnsupported, kBufferTooSmall };

struct ErrorMgr {
  jpeg_error_mgr pub;  // first member: libjpeg hands back a jpeg_error_mgr*, we cast it to ours
  jmp_buf escape;
  bool truncated;
};

void OnError(j_common_ptr cinfo) {
  ErrorMgr* err = reinterpret_cast<ErrorMgr*>(cinfo->err);
  longjmp(err->escape, 1);  // the message is formatted after the jump, while cinfo is still intact
}

void OnMessage(j_common_ptr cinfo, int level) {
  // level -1 is a warning; 0+ are trace messages. See the file comment for why one warning is fatal.
  if (level == -1 && cinfo->err->msg_code == JWRN_JPEG_EOF) {
    reinterpret_cast<ErrorMgr*>(cinfo->err)->truncated = true;
    longjmp(reinterpret_cast<ErrorMgr*>(cinfo->err)->escape, 1);
  }
}

struct DecodeResult {
  Status status = Status::kOk;
  std::string message;
  unsigned char* pixels = nullptr;  // malloc'd when the caller gave no buffer; ownership passes to the JS Buffer
  unsigned width = 0, height = 0;
};

// Where to write: the caller's buffer, or (out == nullptr) a malloc'd one.
struct Output {
  unsigned char* out = nullptr;
  size_t capacity = 0;
};

// Decodes `size` bytes at `data`. Touches no JS state, so it runs on a worker thread as well as on the main one.
void Decode(const unsigned char* data, size_t size, const Output& dst, DecodeResult* r) {
  jpeg_decompress_struct cinfo;
  ErrorMgr err;
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = OnError;
  err.pub.emit_message = OnMessage;
  err.truncated = false;
  // Locals changed between setjmp and longjmp must be volatile to have defined values after the jump.
  unsigned char* volatile pixels = nullptr;

  if (setjmp(err.escape)) {
    char buf[JMSG_LENGTH_MAX];
    if (err.truncated) {
      std::snprintf(buf, sizeof buf, "truncated JPEG: premature end of data");
    } else {
      (*err.pub.format_message)(reinterpret_cast<j_common_ptr>(&cinfo), buf);
    }
    if (r->status == Status::kOk) r->status = Status::kCorrupt;
    if (r->message.empty()) r->message = buf;
    jpeg_destroy_decompress(&cinfo);
    if (!dst.out) std::free(pixels);
    return;
  }

  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, static_cast<unsigned long>(size));
  jpeg_read_header(&cinfo, TRUE);

  // What PIL decodes to 'RGB' or 'L' and we can reproduce exactly; anything else goes back to the caller's fallback.
  const bool rgbish = cinfo.num_components == 3 &&
                      (cinfo.jpeg_color_space == JCS_YCbCr || cinfo.jpeg_color_space == JCS_RGB);
  const bool grey = cinfo.num_components == 1 && cinfo.jpeg_color_space == JCS_GRAYSCALE;
  if (!(rgbish || grey) || cinfo.data_precision != 8) {
    r->status = Status::kUnsupported;
    r->message = "colour space " + std::to_string(static_cast<int>(cinfo.jpeg_color_space)) + " with " +
                 std::to_string(cinfo.num_components) + " components, " + std::to_string(cinfo.data_precision) +
                 "-bit";
    jpeg_destroy_decompress(&cinfo);
    return;
  }
  if (static_cast<unsigned long long>(cinfo.image_width) * cinfo.image_height > kMaxPixels) {
    r->status = Status::kCorrupt;
    r->message = "image of " + std::to_string(cinfo.image_width) + "x" + std::to_string(cinfo.image_height) +
                 " pixels exceeds the pixel limit";
    jpeg_destroy_decompress(&cinfo);
    return;
  }

  // Stated although they are libjpeg's defaults: these are the settings the pixels must match.
  cinfo.out_color_space = JCS_RGB;  // greyscale → RGB replicates the one channel
  cinfo.dct_method = JDCT_ISLOW;
  cinfo.do_fancy_upsampling = TRUE;
  cinfo.scale_num = 1;
  cinfo.scale_denom = 1;
  jpeg_start_decompress(&cinfo);
  if (cinfo.output_components != 3) {
    r->status = Status::kUnsupported;
    r->message = "decoder gave " + std::to_string(cinfo.output_components) + " components";
    jpeg_destroy_decompress(&cinfo);
    return;
  }
  const size_t stride = static_cast<size_t>(cinfo.output_width) * 3;
  const size_t need = stride * cinfo.output_height;
  if (dst.out && dst.capacity < need) {
    r->status = Status::kBufferTooSmall;
    r->message = "output buffer of " + std::to_string(dst.capacity) + " bytes, " + std::to_string(need) + " needed";
    jpeg_destroy_decompress(&cinfo);
    return;
  }
  pixels = dst.out ? dst.out : static_cast<unsigned char*>(std::malloc(need));
  if (!pixels) {
    r->status = Status::kCorrupt;
    r->message = "out of memory";
    jpeg_destroy_decompress(&cinfo);
    return;
  }
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW rows[4];
    const unsigned n = cinfo.output_height - cinfo.output_scanline < 4 ? cinfo.output_height - cinfo.output_scanline : 4;
    for (unsigned i = 0; i < n; i++) rows[i] = pixels + stride * (cinfo.output_scanline + i);
    jpeg_read_scanlines(&cinfo, rows, n);
  }
  // Reading to EOI is where truncation past the last scanline's data shows up.
  jpeg_finish_decompress(&cinfo);
  r->width = cinfo.output_width;
  r->height = cinfo.output_height;
  r->pixels = dst.out ? nullptr : pixels;
  jpeg_destroy_decompress(&cinfo);
}

#define CHECK(call)                                                        \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error(env, nullptr, "qdeploy_jpeg: Node-API call failed: " #call); \
      return nullptr;                                                      \
    }                                                                      \
  } while (0)

void FreePixels(napi_env env, void* data, void* hint) {
  std::free(data);
  int64_t ignored;
  napi_adjust_external_memory(env, -static_cast<int64_t>(reinterpret_cast<uintptr_t>(hint)), &ignored);
}

// The JS value a result stands for: the {width, height, data} object, or an Error with a code. `out` is the
// caller's output array (nullptr when the addon allocated).
napi_status ResultValue(napi_env env, DecodeResult* r, napi_value out, napi_value* value, bool* ok) {
  napi_status s;
  if (r->status != Status::kOk) {
    napi_value msg, code;
    const char* c = r->status == Status::kUnsupported      ? "ERR_QDEPLOY_JPEG_UNSUPPORTED"
                    : r->status == Status::kBufferTooSmall ? "ERR_QDEPLOY_JPEG_BUFFER"
                                                           : "ERR_QDEPLOY_JPEG_CORRUPT";
    if ((s = napi_create_string_utf8(env, r->message.c_str(), r->message.size(), &msg)) != napi_ok) return s;
    if ((s = napi_create_string_utf8(env, c, NAPI_AUTO_LENGTH, &code)) != napi_ok) return s;
    *ok = false;
    return napi_create_error(env, code, msg, value);
  }
  napi_value obj, w, h, data;
  const size_t bytes = static_cast<size_t>(r->width) * r->height * 3;
  if (out) {
    // a view of the first `bytes` bytes of the caller's array
    napi_typedarray_type t;
    size_t len, off;
    void* p;
    napi_value ab;
    if ((s = napi_get_typedarray_info(env, out, &t, &len, &p, &ab, &off)) != napi_ok) return s;
    if ((s = napi_create_typedarray(env, napi_uint8_array, bytes, ab, off, &data)) != napi_ok) return s;
  } else {
    // The Buffer takes the malloc'd pixels as they are; V8 is told of the memory so that GC frees them in time.
    s = napi_create_external_buffer(env, bytes, r->pixels, FreePixels, reinterpret_cast<void*>(static_cast<uintptr_t>(bytes)), &data);
    if (s != napi_ok) { std::free(r->pixels); r->pixels = nullptr; return s; }
    r->pixels = nullptr;
    int64_t ignored;
    napi_adjust_external_memory(env, static_cast<int64_t>(bytes), &ignored);
  }
  if ((s = napi_create_object(env, &obj)) != napi_ok) return s;
  if ((s = napi_create_uint32(env, r->width, &w)) != napi_ok) return s;
  if ((s = napi_create_uint32(env, r->height, &h)) != napi_ok) return s;
  if ((s = napi_set_named_property(env, obj, "width", w)) != napi_ok) return s;
  if ((s = napi_set_named_property(env, obj, "height", h)) != napi_ok) return s;
  if ((s = napi_set_named_property(env, obj, "data", data)) != napi_ok) return s;
  *ok = true;
  *value = obj;
  return napi_ok;
}

// The bytes of a Uint8Array (Buffer included) argument.
bool Bytes(napi_env env, napi_value v, unsigned char** data, size_t* size) {
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return false;
  napi_typedarray_type t;
  size_t len, off;
  void* p;
  napi_value ab;
  if (napi_get_typedarray_info(env, v, &t, &len, &p, &ab, &off) != napi_ok || t != napi_uint8_array) return false;
  *data = static_cast<unsigned char*>(p);
  *size = len;
  return true;
}

// Reads (input[, out]) from the call; false (and a pending TypeError) when they are not Uint8Arrays.
bool Args(napi_env env, napi_callback_info info, const char* fn, napi_value argv[2], size_t* argc,
          const unsigned char** data, size_t* size, Output* dst) {
  *argc = 2;
  if (napi_get_cb_info(env, info, argc, argv, nullptr, nullptr) != napi_ok) return false;
  unsigned char* in;
  bool ok = *argc >= 1 && Bytes(env, argv[0], &in, size);
  if (ok) *data = in;
  if (ok && *argc >= 2) {
    napi_valuetype t;
    ok = napi_typeof(env, argv[1], &t) == napi_ok;
    if (ok && t == napi_undefined) *argc = 1;
    else ok = ok && Bytes(env, argv[1], &dst->out, &dst->capacity);
  }
  if (!ok) {
    std::string m = std::string(fn) + " expects (input: Uint8Array, out?: Uint8Array)";
    napi_throw_type_error(env, nullptr, m.c_str());
  }
  return ok;
}

napi_value DecodeSync(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  size_t argc;
  const unsigned char* data;
  size_t size;
  Output dst;
  if (!Args(env, info, "decodeSync", argv, &argc, &data, &size, &dst)) return nullptr;
  DecodeResult r;
  Decode(data, size, dst, &r);
  napi_value value;
  bool ok;
  CHECK(ResultValue(env, &r, argc >= 2 ? argv[1] : nullptr, &value, &ok));
  if (!ok) {
    napi_throw(env, value);
    return nullptr;
  }
  return value;
}

struct AsyncJob {
  napi_async_work work = nullptr;
  napi_deferred deferred = nullptr;
  // keep the input and output arrays alive while a worker thread reads and writes them
  napi_ref input = nullptr, output = nullptr;
  const unsigned char* data = nullptr;
  size_t size = 0;
  Output dst;
  DecodeResult result;
};

void ExecuteJob(napi_env, void* p) {
  AsyncJob* job = static_cast<AsyncJob*>(p);
  Decode(job->data, job->size, job->dst, &job->result);
}

void CompleteJob(napi_env env, napi_status status, void* p) {
  AsyncJob* job = static_cast<AsyncJob*>(p);
  napi_value value, out = nullptr;
  bool ok = false;
  if (job->output) napi_get_reference_value(env, job->output, &out);
  if (status != napi_ok) {
    napi_value msg;
    napi_create_string_utf8(env, "qdeploy_jpeg: decode cancelled", NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, nullptr, msg, &value);
  } else if (ResultValue(env, &job->result, out, &value, &ok) != napi_ok) {
    napi_value msg;
    napi_create_string_utf8(env, "qdeploy_jpeg: cannot create the result", NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, nullptr, msg, &value);
    ok = false;
  }
  if (ok) napi_resolve_deferred(env, job->deferred, value);
  else napi_reject_deferred(env, job->deferred, value);
  std::free(job->result.pixels);  // set only when the addon allocated and no Buffer took the pixels
  napi_delete_reference(env, job->input);
  if (job->output) napi_delete_reference(env, job->output);
  napi_delete_async_work(env, job->work);
  delete job;
}

napi_value DecodeAsync(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  size_t argc;
  AsyncJob* job = new AsyncJob();
  if (!Args(env, info, "decode", argv, &argc, &job->data, &job->size, &job->dst)) {
    delete job;
    return nullptr;
  }
  napi_value promise, name;
  if (napi_create_reference(env, argv[0], 1, &job->input) != napi_ok ||
      (argc >= 2 && napi_create_reference(env, argv[1], 1, &job->output) != napi_ok) ||
      napi_create_promise(env, &job->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, "qdeploy_jpeg.decode", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, nullptr, name, ExecuteJob, CompleteJob, job, &job->work) != napi_ok ||
      napi_queue_async_work(env, job->work) != napi_ok) {
    // Only a broken environment gets here; the promise (if made) is never settled, so nothing awaits it.
    if (job->input) napi_delete_reference(env, job->input);
    if (job->output) napi_delete_reference(env, job->output);
    if (job->work) napi_delete_async_work(env, job->work);
    delete job;
    napi_throw_error(env, nullptr, "qdeploy_jpeg: cannot queue the decode");
    return nullptr;
  }
  return promise;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_value fn, ver;
  CHECK(napi_create_function(env, "decode", NAPI_AUTO_LENGTH, DecodeAsync, nullptr, &fn));
  CHECK(napi_set_named_property(env, exports, "decode", fn));
  CHECK(napi_create_function(env, "decodeSync", NAPI_AUTO_LENGTH, DecodeSync, nullptr, &fn));
  CHECK(napi_set_named_property(env, exports, "decodeSync", fn));
#define QDEPLOY_STR2(x) #x
#define QDEPLOY_STR(x) QDEPLOY_STR2(x)
#ifdef LIBJPEG_TURBO_VERSION
  const char* v = "libjpeg-turbo " QDEPLOY_STR(LIBJPEG_TURBO_VERSION) " (libjpeg API " QDEPLOY_STR(JPEG_LIB_VERSION) ")";
#else
  const char* v = "libjpeg API " QDEPLOY_STR(JPEG_LIB_VERSION);
#endif
  CHECK(napi_create_string_utf8(env, v, NAPI_AUTO_LENGTH, &ver));
  CHECK(napi_set_named_property(env, exports, "libjpegVersion", ver));
  return exports;
}

}  // namespace

NAPI_MODULE(qdeploy_jpeg, Init)
