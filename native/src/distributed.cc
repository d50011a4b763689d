// libtorch's c10d on the addon (docs/distributed.md). htaf writes no protocol of its own: the rendezvous is
// c10d's TCPStore or FileStore, the collectives are ProcessGroupGloo's (ProcessGroupNCCL's when the addon
// is built against a libtorch with NCCL, HTAF_NCCL=1). Groups live in a table keyed by a small integer,
// the JS side holds the key. Every call blocks until its collective is done or the group's timeout has
// passed: a dead peer becomes a JS Error naming the op and this rank, never a hang.
//
// Several tensors in one call travel as one flat buffer (coalesced): a DDP step makes one collective per
// bucket, not one per parameter.

// Debian's libtorch is built with c10d and Gloo, but its headers only declare them under these macros.
#ifndef USE_DISTRIBUTED
#define USE_DISTRIBUTED 1
#endif
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO 1
#endif

#include "distributed.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef HTAF_WITH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <chrono>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "op_call.h"
#include "tensor_box.h"

namespace {

struct Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroup> pg;
  int rank;
  int size;
  std::chrono::milliseconds timeout;
};

std::map<int64_t, Group> groups;
int64_t nextId = 1;

Group& groupOf(int64_t id) {
  auto it = groups.find(id);
  if (it == groups.end()) throw htaf::ArgError("no process group " + std::to_string(id) + " (destroyed, or never created)");
  return it->second;
}

// Runs one collective under the group's timeout; any failure names this rank.
void await(Group& g, const char* what, const c10::intrusive_ptr<c10d::Work>& work) {
  std::string reason;
  try {
    work->wait(g.timeout);
    return;
  } catch (const c10::Error& e) {
    reason = e.what_without_backtrace();
  } catch (const std::exception& e) {
    reason = e.what();
  }
  throw std::runtime_error(std::string(what) + " failed on rank " + std::to_string(g.rank) + " of " + std::to_string(g.size) +
                           " (a peer died, or did not reach the call within " + std::to_string(g.timeout.count()) + " ms): " + reason);
}

c10d::ReduceOp reduceOp(const std::string& name) {
  if (name == "sum") return c10d::ReduceOp::SUM;
  if (name == "max") return c10d::ReduceOp::MAX;
  if (name == "min") return c10d::ReduceOp::MIN;
  if (name == "product") return c10d::ReduceOp::PRODUCT;
  throw htaf::ArgError("argument 'op' must be 'sum', 'max', 'min' or 'product', not '" + name + "'");
}

// The tensors as one contiguous buffer (the tensor itself when there is one, contiguous): collectives
// write into it, `scatterBack` copies the result into the tensors. Writes go through detached aliases,
// so parameters (leaves that require grad) can be targets.
at::Tensor flatten(const std::vector<at::Tensor>& ts) {
  if (ts.empty()) throw htaf::ArgError("argument 'tensors' must hold at least one tensor");
  for (const auto& t : ts) {
    if (t.scalar_type() != ts[0].scalar_type()) throw htaf::ArgError("argument 'tensors' must share one dtype");
    if (t.device() != ts[0].device()) throw htaf::ArgError("argument 'tensors' must share one device");
  }
  if (ts.size() == 1 && ts[0].is_contiguous()) return ts[0].detach();
  std::vector<at::Tensor> flat;
  flat.reserve(ts.size());
  for (const auto& t : ts) flat.push_back(t.detach().reshape({-1}));
  return at::cat(flat);
}

void scatterBack(const at::Tensor& buffer, const std::vector<at::Tensor>& ts) {
  if (ts.size() == 1 && ts[0].is_contiguous()) return;  // reduced in place
  int64_t offset = 0;
  for (const auto& t : ts) {
    int64_t n = t.numel();
    t.detach().copy_(buffer.narrow(0, offset, n).view(t.sizes()));
    offset += n;
  }
}

c10::intrusive_ptr<c10d::Store> makeStore(const std::string& url, int rank, int size, std::chrono::milliseconds timeout) {
  if (url.rfind("file://", 0) == 0) {
    std::string path = url.substr(7);
    if (path.empty()) throw htaf::ArgError("argument 'store': file:// needs a path (file:///tmp/run/store)");
    auto store = c10::make_intrusive<c10d::FileStore>(path, size);
    store->setTimeout(timeout);
    return store;
  }
  if (url.rfind("tcp://", 0) == 0) {
    std::string rest = url.substr(6);
    auto colon = rest.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size()) {
      throw htaf::ArgError("argument 'store': tcp:// needs HOST:PORT, not '" + rest + "'");
    }
    std::string host = rest.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    char* end = nullptr;
    long port = std::strtol(rest.c_str() + colon + 1, &end, 10);
    if (*end != '\0' || port < 1 || port > 65535) throw htaf::ArgError("argument 'store': the port must be 1..65535, not '" + rest.substr(colon + 1) + "'");
    c10d::TCPStoreOptions opts;
    opts.port = static_cast<std::uint16_t>(port);
    opts.isServer = rank == 0;
    opts.numWorkers = static_cast<std::size_t>(size);
    opts.waitWorkers = false;  // the world-size check below waits, with a message that says who is missing
    opts.timeout = timeout;
    try {
      return c10::make_intrusive<c10d::TCPStore>(host, opts);
    } catch (const std::exception& e) {
      std::string why = rank == 0 ? "cannot serve the store on port " + std::to_string(port) + " (in use, or not allowed)"
                                  : "cannot reach the store at " + host + ":" + std::to_string(port) + " within " +
                                        std::to_string(timeout.count()) + " ms (a wrong or unreachable master address, or rank 0 not started)";
      throw std::runtime_error(why + ": " + e.what());
    }
  }
  throw htaf::ArgError("argument 'store' must be 'tcp://HOST:PORT' or 'file://PATH', not '" + url + "'");
}

// Every rank states its world size; each checks rank 0's, and rank 0 waits for every other rank to check in.
// A mismatch or a missing rank is an error that says so instead of a hang inside Gloo's connect.
void checkWorld(c10d::Store& store, int rank, int size, std::chrono::milliseconds timeout) {
  auto encode = [](int v) { std::string s = std::to_string(v); return std::vector<uint8_t>(s.begin(), s.end()); };
  auto decode = [](const std::vector<uint8_t>& v) { return std::stoi(std::string(v.begin(), v.end())); };
  store.set("htaf/world/" + std::to_string(rank), encode(size));
  std::vector<std::string> keys;
  if (rank == 0) {
    for (int r = 1; r < size; ++r) keys.push_back("htaf/world/" + std::to_string(r));
  } else {
    keys.push_back("htaf/world/0");
  }
  for (const auto& key : keys) {
    try {
      store.wait({key}, timeout);
    } catch (const std::exception& e) {
      throw std::runtime_error("rank " + std::to_string(rank) + " of " + std::to_string(size) + ": " +
                               (rank == 0 ? "rank " + key.substr(11) + " did not join" : std::string("rank 0 did not answer")) +
                               " within " + std::to_string(timeout.count()) + " ms");
    }
    int theirs = decode(store.get(key));
    if (theirs != size) {
      throw std::runtime_error("world size mismatch: rank " + std::to_string(rank) + " was started with " + std::to_string(size) +
                               " processes, rank " + key.substr(11) + " with " + std::to_string(theirs));
    }
  }
}

const char* const kCreateNames[] = {"store", "rank", "worldSize", "backend", "timeoutMs", "host"};

// pgCreate(store, rank, worldSize, backend, timeoutMs, host) -> id. host: the address Gloo binds to ('' = the
// address this machine's hostname resolves to, as PyTorch does).
Napi::Value PgCreate(const Napi::CallbackInfo& info) {
  htaf::OpCall c(info, "pgCreate", kCreateNames, 6);
  try {
    std::string url = c.string(0);
    int64_t rank = c.integer(1), size = c.integer(2);
    std::string backend = c.string(3);
    int64_t timeoutMs = c.integer(4);
    std::string host = c.string(5);
    if (size < 1) throw htaf::ArgError("argument 'worldSize' must be at least 1");
    if (rank < 0 || rank >= size) throw htaf::ArgError("argument 'rank' must be in 0.." + std::to_string(size - 1));
    if (timeoutMs < 1) throw htaf::ArgError("argument 'timeoutMs' must be positive");
    if (backend != "gloo" && backend != "nccl") throw htaf::ArgError("argument 'backend' must be 'gloo' or 'nccl', not '" + backend + "'");
#ifndef HTAF_WITH_NCCL
    if (backend == "nccl") {
      throw htaf::ArgError("backend 'nccl': this addon was built against a libtorch without NCCL (Debian's libtorch is CPU-only); "
                           "build with LIBTORCH=<a CUDA libtorch> HTAF_NCCL=1, or use 'gloo'");
    }
#endif
    std::chrono::milliseconds timeout(timeoutMs);
    Group g{makeStore(url, static_cast<int>(rank), static_cast<int>(size), timeout), {}, static_cast<int>(rank), static_cast<int>(size), timeout};
    checkWorld(*g.store, g.rank, g.size, timeout);
    auto prefixed = c10::make_intrusive<c10d::PrefixStore>(backend, g.store);
    if (backend == "gloo") {
      auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
      const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
      if (ifname && *ifname) opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
      else if (!host.empty()) opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(host));
      else opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      opts->threads = 2;
      g.pg = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, g.rank, g.size, opts);
    }
#ifdef HTAF_WITH_NCCL
    else {
      auto opts = c10d::ProcessGroupNCCL::Options::create();
      opts->timeout = timeout;
      g.pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(prefixed, g.rank, g.size, opts);
    }
#endif
    int64_t id = nextId++;
    groups.emplace(id, std::move(g));
    return Napi::Number::New(info.Env(), static_cast<double>(id));
  } catch (...) {
    return c.fail();
  }
}

const char* const kAllReduceNames[] = {"group", "tensors", "op", "scale"};

// pgAllReduce(id, tensors, op, scale = 1): reduces the tensors in place across the group, as one flat buffer,
// then multiplies by scale (1 / world size averages: Gloo has no mean).
Napi::Value PgAllReduce(const Napi::CallbackInfo& info) {
  htaf::OpCall c(info, "pgAllReduce", kAllReduceNames, 4);
  try {
    Group& g = groupOf(c.integer(0));
    std::vector<at::Tensor> ts = c.tensorList(1);
    c10d::AllreduceOptions opts;
    opts.reduceOp = reduceOp(c.string(2));
    std::vector<at::Tensor> buffer{flatten(ts)};
    double scale = c.optNumber(3).value_or(1.0);
    await(g, "allReduce", g.pg->allreduce(buffer, opts));
    if (scale != 1.0) buffer[0].mul_(scale);
    scatterBack(buffer[0], ts);
    return info.Env().Undefined();
  } catch (...) {
    return c.fail();
  }
}

const char* const kBroadcastNames[] = {"group", "tensors", "root"};

// pgBroadcast(id, tensors, root): every rank's tensors become the root's.
Napi::Value PgBroadcast(const Napi::CallbackInfo& info) {
  htaf::OpCall c(info, "pgBroadcast", kBroadcastNames, 3);
  try {
    Group& g = groupOf(c.integer(0));
    std::vector<at::Tensor> ts = c.tensorList(1);
    int64_t root = c.integer(2);
    if (root < 0 || root >= g.size) throw htaf::ArgError("argument 'root' must be in 0.." + std::to_string(g.size - 1));
    c10d::BroadcastOptions opts;
    opts.rootRank = root;
    std::vector<at::Tensor> buffer{flatten(ts)};
    await(g, "broadcast", g.pg->broadcast(buffer, opts));
    scatterBack(buffer[0], ts);
    return info.Env().Undefined();
  } catch (...) {
    return c.fail();
  }
}

const char* const kGroupNames[] = {"group"};

Napi::Value PgBarrier(const Napi::CallbackInfo& info) {
  htaf::OpCall c(info, "pgBarrier", kGroupNames, 1);
  try {
    Group& g = groupOf(c.integer(0));
    await(g, "barrier", g.pg->barrier());
    return info.Env().Undefined();
  } catch (...) {
    return c.fail();
  }
}

// pgDestroy(id) -> whether it existed. Closes the group's connections and its store.
Napi::Value PgDestroy(const Napi::CallbackInfo& info) {
  htaf::OpCall c(info, "pgDestroy", kGroupNames, 1);
  try {
    return Napi::Boolean::New(info.Env(), groups.erase(c.integer(0)) > 0);
  } catch (...) {
    return c.fail();
  }
}

// A sum across ranks that autograd sees: forward sums the inputs, backward sums the gradients (the
// gradient of Σ_r x_r with respect to this rank's x is the sum of every rank's upstream gradient).
// SyncBatchNorm's batch statistics go through it.
struct AllReduceSum : public torch::autograd::Function<AllReduceSum> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, int64_t id) {
    ctx->saved_data["group"] = id;
    Group& g = groupOf(id);
    std::vector<at::Tensor> buffer{x.detach().clone().contiguous()};
    await(g, "allReduceGrad (forward)", g.pg->allreduce(buffer));
    return buffer[0];
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grads) {
    Group& g = groupOf(ctx->saved_data["group"].toInt());
    std::vector<at::Tensor> buffer{grads[0].detach().clone().contiguous()};
    await(g, "allReduceGrad (backward)", g.pg->allreduce(buffer));
    return {buffer[0], at::Tensor()};
  }
};

const char* const kAllReduceGradNames[] = {"group", "tensor"};

Napi::Value PgAllReduceGrad(const Napi::CallbackInfo& info) {
  htaf::OpCall c(info, "pgAllReduceGrad", kAllReduceGradNames, 2);
  try {
    int64_t id = c.integer(0);
    groupOf(id);
    return c.result(AllReduceSum::apply(c.tensor(1), id));
  } catch (...) {
    return c.fail();
  }
}

// pgBackends() -> the backends this addon can create.
Napi::Value PgBackends(const Napi::CallbackInfo& info) {
  auto out = Napi::Array::New(info.Env());
  out.Set(0u, Napi::String::New(info.Env(), "gloo"));
#ifdef HTAF_WITH_NCCL
  out.Set(1u, Napi::String::New(info.Env(), "nccl"));
#endif
  return out;
}

}  // namespace

namespace htaf {

void registerDistributed(Napi::Env env, Napi::Object exports) {
  exports.Set("pgCreate", Napi::Function::New(env, PgCreate, "pgCreate"));
  exports.Set("pgAllReduce", Napi::Function::New(env, PgAllReduce, "pgAllReduce"));
  exports.Set("pgBroadcast", Napi::Function::New(env, PgBroadcast, "pgBroadcast"));
  exports.Set("pgBarrier", Napi::Function::New(env, PgBarrier, "pgBarrier"));
  exports.Set("pgDestroy", Napi::Function::New(env, PgDestroy, "pgDestroy"));
  exports.Set("pgAllReduceGrad", Napi::Function::New(env, PgAllReduceGrad, "pgAllReduceGrad"));
  exports.Set("pgBackends", Napi::Function::New(env, PgBackends, "pgBackends"));
}

}  // namespace htaf
