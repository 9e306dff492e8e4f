/*
 * A fake libnvidia-ml.so.1 for tests: the real NVML ABI (symbol names, argument types, struct
 * layouts, return codes), driven by a script file that a test writes.
 *
 * The script is FAKE_NVML_SCRIPT when that environment variable is set and not empty, else the
 * file fake-nvml.script in the directory of this library. It is read again by nvmlInit_v2 and
 * nvmlDeviceGetCount_v2 whenever it changed (device, inode, size or modification time), so a test
 * changes the GPUs between polls by replacing the file. Format: one "key = value" per line, "#"
 * starts a comment line; a missing file means no GPUs. Keys (every GPU value has a default, so
 * "count = 1" alone gives a whole Tesla T4):
 *
 *   init = 0                         return code of nvmlInit_v2
 *   count = 2                        devices (at most 16)
 *   driver_version = 550.54.15       nvml_version = 12.550.54.15       cuda_driver_version = 12040
 *   error.FUNCTION = CODE            FUNCTION returns CODE, for every GPU (and system calls)
 *   sleep.FUNCTION = MS              FUNCTION sleeps MS milliseconds before it answers
 *   gpu.N.name / uuid / serial       strings (up to 255 characters; the caller's buffer length is
 *                                    honoured: too small gives 7, NVML_ERROR_INSUFFICIENT_SIZE)
 *   gpu.N.pci.bus_id / pci.bus_id_legacy / pci.domain / pci.bus / pci.device / pci.device_id /
 *   pci.subsystem_id
 *   gpu.N.memory.total / memory.free / memory.used                       bytes (unsigned 64-bit)
 *   gpu.N.utilization.gpu / utilization.memory / fan                     percent
 *   gpu.N.temperature (C)  power / power_limit (mW)  energy (mJ)
 *   gpu.N.clock.graphics / clock.sm / clock.memory                       MHz
 *   gpu.N.ecc.current / ecc.pending (0 or 1)  ecc.corrected / ecc.uncorrected (volatile counts)
 *   gpu.N.processes = PID:BYTES,PID:na,...   compute processes (na: NVML_VALUE_NOT_AVAILABLE)
 *   gpu.N.processes.generate = 40            40 processes, pid 1000+i using (i+1) MiB
 *   gpu.N.processes.grow = 5                 every process-list call adds 5 processes (churn)
 *   gpu.N.error.FUNCTION = CODE  gpu.N.sleep.FUNCTION = MS              for that GPU only
 *
 * A script error (unknown key, bad number) makes every call return 999 (NVML_ERROR_UNKNOWN) and
 * is printed on stderr. Strings are written with their terminating NUL and the rest of the
 * caller's buffer filled with 'Z', so a reader that does not stop at the NUL fails.
 *
 * Variants: -DFAKE_NVML_OLD_DRIVER leaves out nvmlDeviceGetTotalEnergyConsumption,
 * nvmlDeviceGetComputeRunningProcesses_v3 and _v2, nvmlSystemGetCudaDriverVersion_v2 and
 * nvmlDeviceGetRunningProcessDetailList (a driver from before CUDA 11); -DFAKE_NVML_R535 makes
 * nvmlDeviceGetComputeRunningProcesses_v3 write 32-byte entries and leaves out
 * nvmlDeviceGetRunningProcessDetailList, as the R535 to R545 drivers do.
 *
 * fake_nvml_stats() (not an NVML function) tells how many calls, initialisations, shutdowns and
 * calls of unversioned legacy functions the library has seen.
 */
#define _GNU_SOURCE
#include "fake_nvml.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define API __attribute__((visibility("default")))

#define MAX_GPUS 16
#define MAX_LISTED_PROCESSES 1024
#define MAX_RULES 64
#define MAX_STRING 256

struct fake_device {
    int index;
};

struct rule {
    char function[64];
    int gpu; /* -1: every GPU and the system calls */
    int error;
    long sleep_ms;
};

struct gpu_state {
    char name[MAX_STRING];
    char uuid[MAX_STRING];
    char serial[MAX_STRING];
    char bus_id[MAX_STRING];
    char bus_id_legacy[MAX_STRING];
    unsigned int domain, bus, device, device_id, subsystem_id;
    unsigned long long memory_total, memory_free, memory_used;
    unsigned int utilization_gpu, utilization_memory;
    unsigned int temperature, power, power_limit, fan;
    unsigned long long energy;
    unsigned int clock_graphics, clock_sm, clock_memory;
    unsigned int ecc_current, ecc_pending;
    unsigned long long ecc_corrected, ecc_uncorrected;
    unsigned int process_count;
    unsigned int process_pids[MAX_LISTED_PROCESSES];
    unsigned long long process_memory[MAX_LISTED_PROCESSES];
    unsigned int process_grow;
    unsigned int process_extra;
};

struct script {
    int init_result;
    unsigned int count;
    char driver_version[MAX_STRING];
    char nvml_version[MAX_STRING];
    int cuda_driver_version;
    struct gpu_state gpus[MAX_GPUS];
    struct rule rules[MAX_RULES];
    int rule_count;
    int broken;
};

static const char *const known_functions[] = {
    "nvmlInit_v2", "nvmlInit", "nvmlShutdown", "nvmlErrorString",
    "nvmlSystemGetDriverVersion", "nvmlSystemGetNVMLVersion",
    "nvmlSystemGetCudaDriverVersion", "nvmlSystemGetCudaDriverVersion_v2",
    "nvmlDeviceGetCount_v2", "nvmlDeviceGetCount",
    "nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex",
    "nvmlDeviceGetName", "nvmlDeviceGetUUID", "nvmlDeviceGetSerial",
    "nvmlDeviceGetPciInfo_v3", "nvmlDeviceGetPciInfo",
    "nvmlDeviceGetMemoryInfo", "nvmlDeviceGetUtilizationRates", "nvmlDeviceGetTemperature",
    "nvmlDeviceGetPowerUsage", "nvmlDeviceGetEnforcedPowerLimit",
    "nvmlDeviceGetTotalEnergyConsumption", "nvmlDeviceGetFanSpeed", "nvmlDeviceGetClockInfo",
    "nvmlDeviceGetEccMode", "nvmlDeviceGetTotalEccErrors",
    "nvmlDeviceGetComputeRunningProcesses", "nvmlDeviceGetComputeRunningProcesses_v2",
    "nvmlDeviceGetComputeRunningProcesses_v3",
    NULL,
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct fake_device devices[MAX_GPUS];
static struct script current;
static int loaded;
static struct stat loaded_stat;
static unsigned int initialized;
static char script_file[PATH_MAX];
static unsigned int calls, initializations, shutdowns, legacy_calls;

static void set_gpu_defaults(struct gpu_state *gpu, unsigned int index)
{
    memset(gpu, 0, sizeof(*gpu));
    snprintf(gpu->name, sizeof(gpu->name), "Tesla T4");
    snprintf(gpu->uuid, sizeof(gpu->uuid), "GPU-00000000-0000-0000-0000-%012x", index);
    snprintf(gpu->serial, sizeof(gpu->serial), "13200000%05u", index);
    snprintf(gpu->bus_id, sizeof(gpu->bus_id), "00000000:%02X:00.0", index + 1);
    snprintf(gpu->bus_id_legacy, sizeof(gpu->bus_id_legacy), "0000:%02X:00.0", index + 1);
    gpu->bus = index + 1;
    gpu->device_id = 0x1EB810DEu;
    gpu->subsystem_id = 0x12A210DEu;
    gpu->memory_total = 16106127360ULL;
    gpu->memory_used = 268435456ULL;
    gpu->memory_free = gpu->memory_total - gpu->memory_used;
    gpu->temperature = 35;
    gpu->power = 9000;
    gpu->power_limit = 70000;
    gpu->energy = 1000000;
    gpu->fan = 30;
    gpu->clock_graphics = 300;
    gpu->clock_sm = 300;
    gpu->clock_memory = 405;
    gpu->ecc_current = 1;
    gpu->ecc_pending = 1;
}

static void set_defaults(struct script *script)
{
    memset(script, 0, sizeof(*script));
    snprintf(script->driver_version, sizeof(script->driver_version), "550.54.15");
    snprintf(script->nvml_version, sizeof(script->nvml_version), "12.550.54.15");
    script->cuda_driver_version = 12040;
    for (unsigned int index = 0; index < MAX_GPUS; index++) {
        set_gpu_defaults(&script->gpus[index], index);
    }
}

static const char *script_path(void)
{
    if (script_file[0] != '\0') {
        return script_file;
    }
    const char *configured = getenv("FAKE_NVML_SCRIPT");
    if (configured != NULL && configured[0] != '\0') {
        snprintf(script_file, sizeof(script_file), "%s", configured);
        return script_file;
    }
    Dl_info info;
    if (dladdr((void *) &set_defaults, &info) != 0 && info.dli_fname != NULL) {
        const char *slash = strrchr(info.dli_fname, '/');
        if (slash != NULL) {
            snprintf(script_file, sizeof(script_file), "%.*s/fake-nvml.script", (int) (slash - info.dli_fname), info.dli_fname);
            return script_file;
        }
    }
    snprintf(script_file, sizeof(script_file), "fake-nvml.script");
    return script_file;
}

static char *trim(char *text)
{
    while (*text == ' ' || *text == '\t') {
        text++;
    }
    size_t length = strlen(text);
    while (length > 0 && (text[length - 1] == ' ' || text[length - 1] == '\t' || text[length - 1] == '\n' || text[length - 1] == '\r')) {
        text[--length] = '\0';
    }
    return text;
}

static int parse_number(const char *text, unsigned long long *value)
{
    if (*text == '\0' || *text == '-') {
        return 0;
    }
    char *end;
    errno = 0;
    *value = strtoull(text, &end, 0);
    return errno == 0 && *end == '\0';
}

static int parse_unsigned(const char *text, unsigned int *value)
{
    unsigned long long parsed;
    if (!parse_number(text, &parsed) || parsed > 0xFFFFFFFFULL) {
        return 0;
    }
    *value = (unsigned int) parsed;
    return 1;
}

static int parse_string(const char *text, char *target)
{
    if (strlen(text) >= MAX_STRING) {
        return 0;
    }
    strcpy(target, text);
    return 1;
}

static int known_function(const char *name)
{
    for (int index = 0; known_functions[index] != NULL; index++) {
        if (strcmp(known_functions[index], name) == 0) {
            return 1;
        }
    }
    return 0;
}

static int add_rule(struct script *script, const char *kind, const char *function, int gpu, const char *value)
{
    if (!known_function(function) || script->rule_count == MAX_RULES) {
        return 0;
    }
    struct rule *rule = NULL;
    for (int index = 0; index < script->rule_count; index++) {
        if (script->rules[index].gpu == gpu && strcmp(script->rules[index].function, function) == 0) {
            rule = &script->rules[index];
        }
    }
    if (rule == NULL) {
        rule = &script->rules[script->rule_count++];
        memset(rule, 0, sizeof(*rule));
        snprintf(rule->function, sizeof(rule->function), "%s", function);
        rule->gpu = gpu;
    }
    unsigned int number;
    if (!parse_unsigned(value, &number)) {
        return 0;
    }
    if (strcmp(kind, "error") == 0) {
        rule->error = (int) number;
    }
    else {
        rule->sleep_ms = number;
    }
    return 1;
}

static int parse_processes(struct gpu_state *gpu, char *list)
{
    gpu->process_count = 0;
    char *saved;
    for (char *entry = strtok_r(list, ",", &saved); entry != NULL; entry = strtok_r(NULL, ",", &saved)) {
        char *colon = strchr(entry, ':');
        if (colon == NULL || gpu->process_count == MAX_LISTED_PROCESSES) {
            return 0;
        }
        *colon = '\0';
        unsigned int pid;
        unsigned long long memory;
        char *memory_text = trim(colon + 1);
        if (!parse_unsigned(trim(entry), &pid)) {
            return 0;
        }
        if (strcmp(memory_text, "na") == 0) {
            memory = NVML_VALUE_NOT_AVAILABLE_ULL;
        }
        else if (!parse_number(memory_text, &memory)) {
            return 0;
        }
        gpu->process_pids[gpu->process_count] = pid;
        gpu->process_memory[gpu->process_count] = memory;
        gpu->process_count++;
    }
    return 1;
}

static int set_gpu_value(struct script *script, struct gpu_state *gpu, int index, const char *key, char *value)
{
    unsigned int number;
    if (strncmp(key, "error.", 6) == 0) {
        return add_rule(script, "error", key + 6, index, value);
    }
    if (strncmp(key, "sleep.", 6) == 0) {
        return add_rule(script, "sleep", key + 6, index, value);
    }
    if (strcmp(key, "name") == 0) return parse_string(value, gpu->name);
    if (strcmp(key, "uuid") == 0) return parse_string(value, gpu->uuid);
    if (strcmp(key, "serial") == 0) return parse_string(value, gpu->serial);
    if (strcmp(key, "pci.bus_id") == 0) return parse_string(value, gpu->bus_id);
    if (strcmp(key, "pci.bus_id_legacy") == 0) return parse_string(value, gpu->bus_id_legacy);
    if (strcmp(key, "pci.domain") == 0) return parse_unsigned(value, &gpu->domain);
    if (strcmp(key, "pci.bus") == 0) return parse_unsigned(value, &gpu->bus);
    if (strcmp(key, "pci.device") == 0) return parse_unsigned(value, &gpu->device);
    if (strcmp(key, "pci.device_id") == 0) return parse_unsigned(value, &gpu->device_id);
    if (strcmp(key, "pci.subsystem_id") == 0) return parse_unsigned(value, &gpu->subsystem_id);
    if (strcmp(key, "memory.total") == 0) return parse_number(value, &gpu->memory_total);
    if (strcmp(key, "memory.free") == 0) return parse_number(value, &gpu->memory_free);
    if (strcmp(key, "memory.used") == 0) return parse_number(value, &gpu->memory_used);
    if (strcmp(key, "utilization.gpu") == 0) return parse_unsigned(value, &gpu->utilization_gpu);
    if (strcmp(key, "utilization.memory") == 0) return parse_unsigned(value, &gpu->utilization_memory);
    if (strcmp(key, "temperature") == 0) return parse_unsigned(value, &gpu->temperature);
    if (strcmp(key, "power") == 0) return parse_unsigned(value, &gpu->power);
    if (strcmp(key, "power_limit") == 0) return parse_unsigned(value, &gpu->power_limit);
    if (strcmp(key, "energy") == 0) return parse_number(value, &gpu->energy);
    if (strcmp(key, "fan") == 0) return parse_unsigned(value, &gpu->fan);
    if (strcmp(key, "clock.graphics") == 0) return parse_unsigned(value, &gpu->clock_graphics);
    if (strcmp(key, "clock.sm") == 0) return parse_unsigned(value, &gpu->clock_sm);
    if (strcmp(key, "clock.memory") == 0) return parse_unsigned(value, &gpu->clock_memory);
    if (strcmp(key, "ecc.current") == 0) return parse_unsigned(value, &gpu->ecc_current);
    if (strcmp(key, "ecc.pending") == 0) return parse_unsigned(value, &gpu->ecc_pending);
    if (strcmp(key, "ecc.corrected") == 0) return parse_number(value, &gpu->ecc_corrected);
    if (strcmp(key, "ecc.uncorrected") == 0) return parse_number(value, &gpu->ecc_uncorrected);
    if (strcmp(key, "processes") == 0) return parse_processes(gpu, value);
    if (strcmp(key, "processes.grow") == 0) return parse_unsigned(value, &gpu->process_grow);
    if (strcmp(key, "processes.generate") == 0) {
        if (!parse_unsigned(value, &number) || number > MAX_LISTED_PROCESSES) {
            return 0;
        }
        gpu->process_count = number;
        for (unsigned int process = 0; process < number; process++) {
            gpu->process_pids[process] = 1000 + process;
            gpu->process_memory[process] = (process + 1ULL) << 20;
        }
        return 1;
    }
    return 0;
}

static int set_value(struct script *script, const char *key, char *value)
{
    if (strcmp(key, "init") == 0) return parse_unsigned(value, (unsigned int *) &script->init_result);
    if (strcmp(key, "count") == 0) return parse_unsigned(value, &script->count) && script->count <= MAX_GPUS;
    if (strcmp(key, "driver_version") == 0) return parse_string(value, script->driver_version);
    if (strcmp(key, "nvml_version") == 0) return parse_string(value, script->nvml_version);
    if (strcmp(key, "cuda_driver_version") == 0) return parse_unsigned(value, (unsigned int *) &script->cuda_driver_version);
    if (strncmp(key, "error.", 6) == 0) return add_rule(script, "error", key + 6, -1, value);
    if (strncmp(key, "sleep.", 6) == 0) return add_rule(script, "sleep", key + 6, -1, value);
    if (strncmp(key, "gpu.", 4) == 0) {
        char *end;
        long index = strtol(key + 4, &end, 10);
        if (end == key + 4 || *end != '.' || index < 0 || index >= MAX_GPUS) {
            return 0;
        }
        return set_gpu_value(script, &script->gpus[index], (int) index, end + 1, value);
    }
    return 0;
}

static void parse_script(FILE *file, const char *path, struct script *script)
{
    set_defaults(script);
    char *line = NULL;
    size_t capacity = 0;
    int number = 0;
    while (getline(&line, &capacity, file) >= 0) {
        number++;
        char *text = trim(line);
        if (*text == '\0' || *text == '#') {
            continue;
        }
        char *equals = strchr(text, '=');
        if (equals == NULL) {
            fprintf(stderr, "fake-nvml: %s:%d: expected KEY = VALUE, got '%s'\n", path, number, text);
            script->broken = 1;
            break;
        }
        *equals = '\0';
        char *key = trim(text);
        char *value = trim(equals + 1);
        if (!set_value(script, key, value)) {
            fprintf(stderr, "fake-nvml: %s:%d: bad key or value for '%s': '%s'\n", path, number, key, value);
            script->broken = 1;
            break;
        }
    }
    free(line);
}

/* Called with the lock held. */
static void reload_if_changed(void)
{
    const char *path = script_path();
    struct stat status;
    if (stat(path, &status) != 0) {
        if (loaded != 1) {
            set_defaults(&current);
            loaded = 1;
        }
        return;
    }
    if (loaded == 2 && status.st_dev == loaded_stat.st_dev && status.st_ino == loaded_stat.st_ino
            && status.st_size == loaded_stat.st_size
            && status.st_mtim.tv_sec == loaded_stat.st_mtim.tv_sec
            && status.st_mtim.tv_nsec == loaded_stat.st_mtim.tv_nsec) {
        return;
    }
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        return;
    }
    parse_script(file, path, &current);
    fclose(file);
    loaded = 2;
    loaded_stat = status;
}

static void sleep_milliseconds(long milliseconds)
{
    struct timespec remaining = {milliseconds / 1000, (milliseconds % 1000) * 1000000L};
    while (nanosleep(&remaining, &remaining) != 0 && errno == EINTR) {
    }
}

static const struct rule *find_rule(const char *function, int gpu)
{
    const struct rule *found = NULL;
    for (int index = 0; index < current.rule_count; index++) {
        const struct rule *rule = &current.rules[index];
        if (strcmp(rule->function, function) == 0) {
            if (rule->gpu == gpu) {
                return rule;
            }
            if (rule->gpu == -1) {
                found = rule;
            }
        }
    }
    return found;
}

/* Takes the lock (the caller releases it with finish()), sleeps and answers as the script says. */
static nvmlReturn_t begin(const char *function, int gpu, int needs_initialization)
{
    pthread_mutex_lock(&lock);
    __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
    if (needs_initialization && initialized == 0) {
        return NVML_ERROR_UNINITIALIZED;
    }
    if (current.broken) {
        return NVML_ERROR_UNKNOWN;
    }
    const struct rule *rule = find_rule(function, gpu);
    if (rule == NULL) {
        return NVML_SUCCESS;
    }
    int error = rule->error;
    if (rule->sleep_ms > 0) {
        long milliseconds = rule->sleep_ms;
        pthread_mutex_unlock(&lock);
        sleep_milliseconds(milliseconds);
        pthread_mutex_lock(&lock);
    }
    return error;
}

static nvmlReturn_t finish(nvmlReturn_t result)
{
    pthread_mutex_unlock(&lock);
    return result;
}

/* Takes the lock; on success *gpu is the device's state. */
static nvmlReturn_t begin_device(const char *function, nvmlDevice_t device, struct gpu_state **gpu)
{
    if (device < devices || device >= devices + MAX_GPUS) {
        pthread_mutex_lock(&lock);
        __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    int index = device->index;
    nvmlReturn_t result = begin(function, index, 1);
    if (result != NVML_SUCCESS) {
        return result;
    }
    if ((unsigned int) index >= current.count) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    *gpu = &current.gpus[index];
    return NVML_SUCCESS;
}

static nvmlReturn_t copy_string(const char *value, char *buffer, unsigned int length)
{
    if (buffer == NULL) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    size_t size = strlen(value);
    if (size + 1 > length) {
        return NVML_ERROR_INSUFFICIENT_SIZE;
    }
    memcpy(buffer, value, size + 1);
    memset(buffer + size + 1, 'Z', length - size - 1);
    return NVML_SUCCESS;
}

static void fill_field(char *field, size_t size, const char *value)
{
    memset(field, 'Z', size);
    size_t length = strlen(value);
    if (length > size - 1) {
        length = size - 1;
    }
    memcpy(field, value, length);
    field[length] = '\0';
}

API const char *nvmlErrorString(nvmlReturn_t result)
{
    __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
    switch (result) {
        case NVML_SUCCESS: return "Success";
        case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
        case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
        case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
        case 4: return "Insufficient Permissions";
        case 5: return "Already Initialized";
        case NVML_ERROR_NOT_FOUND: return "Not Found";
        case NVML_ERROR_INSUFFICIENT_SIZE: return "Insufficient Size";
        case 8: return "Insufficient External Power";
        case NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
        case 10: return "Timeout";
        case NVML_ERROR_LIBRARY_NOT_FOUND: return "NVML Shared Library Not Found";
        case NVML_ERROR_FUNCTION_NOT_FOUND: return "Function Not Found";
        case NVML_ERROR_GPU_IS_LOST: return "GPU is lost";
        default: return "Unknown Error";
    }
}

static nvmlReturn_t initialize(const char *function)
{
    pthread_mutex_lock(&lock);
    reload_if_changed();
    pthread_mutex_unlock(&lock);
    nvmlReturn_t result = begin(function, -1, 0);
    if (result == NVML_SUCCESS && current.init_result != NVML_SUCCESS) {
        result = current.init_result;
    }
    if (result == NVML_SUCCESS) {
        initialized++;
        initializations++;
    }
    return finish(result);
}

API nvmlReturn_t nvmlInit_v2(void)
{
    return initialize("nvmlInit_v2");
}

API nvmlReturn_t nvmlInit(void)
{
    __atomic_add_fetch(&legacy_calls, 1, __ATOMIC_RELAXED);
    return initialize("nvmlInit");
}

API nvmlReturn_t nvmlShutdown(void)
{
    nvmlReturn_t result = begin("nvmlShutdown", -1, 1);
    if (result == NVML_SUCCESS) {
        initialized--;
        shutdowns++;
    }
    return finish(result);
}

API nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length)
{
    nvmlReturn_t result = begin("nvmlSystemGetDriverVersion", -1, 1);
    if (result == NVML_SUCCESS) {
        result = copy_string(current.driver_version, version, length);
    }
    return finish(result);
}

API nvmlReturn_t nvmlSystemGetNVMLVersion(char *version, unsigned int length)
{
    nvmlReturn_t result = begin("nvmlSystemGetNVMLVersion", -1, 0);
    if (result == NVML_SUCCESS) {
        result = copy_string(current.nvml_version, version, length);
    }
    return finish(result);
}

static nvmlReturn_t cuda_driver_version(const char *function, int *version)
{
    nvmlReturn_t result = begin(function, -1, 0);
    if (result == NVML_SUCCESS) {
        if (version == NULL) {
            result = NVML_ERROR_INVALID_ARGUMENT;
        }
        else {
            *version = current.cuda_driver_version;
        }
    }
    return finish(result);
}

API nvmlReturn_t nvmlSystemGetCudaDriverVersion(int *version)
{
    return cuda_driver_version("nvmlSystemGetCudaDriverVersion", version);
}

#ifndef FAKE_NVML_OLD_DRIVER
API nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int *version)
{
    return cuda_driver_version("nvmlSystemGetCudaDriverVersion_v2", version);
}
#endif

static nvmlReturn_t device_count(const char *function, unsigned int *count)
{
    pthread_mutex_lock(&lock);
    reload_if_changed();
    pthread_mutex_unlock(&lock);
    nvmlReturn_t result = begin(function, -1, 1);
    if (result == NVML_SUCCESS) {
        if (count == NULL) {
            result = NVML_ERROR_INVALID_ARGUMENT;
        }
        else {
            *count = current.count;
        }
    }
    return finish(result);
}

API nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count)
{
    return device_count("nvmlDeviceGetCount_v2", count);
}

API nvmlReturn_t nvmlDeviceGetCount(unsigned int *count)
{
    __atomic_add_fetch(&legacy_calls, 1, __ATOMIC_RELAXED);
    return device_count("nvmlDeviceGetCount", count);
}

static nvmlReturn_t handle_by_index(const char *function, unsigned int index, nvmlDevice_t *device)
{
    nvmlReturn_t result = begin(function, index < MAX_GPUS ? (int) index : -1, 1);
    if (result == NVML_SUCCESS) {
        if (device == NULL || index >= current.count) {
            result = NVML_ERROR_INVALID_ARGUMENT;
        }
        else {
            devices[index].index = (int) index;
            *device = &devices[index];
        }
    }
    return finish(result);
}

API nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device)
{
    return handle_by_index("nvmlDeviceGetHandleByIndex_v2", index, device);
}

API nvmlReturn_t nvmlDeviceGetHandleByIndex(unsigned int index, nvmlDevice_t *device)
{
    __atomic_add_fetch(&legacy_calls, 1, __ATOMIC_RELAXED);
    return handle_by_index("nvmlDeviceGetHandleByIndex", index, device);
}

API nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length)
{
    struct gpu_state *gpu;
    nvmlReturn_t result = begin_device("nvmlDeviceGetName", device, &gpu);
    if (result == NVML_SUCCESS) {
        result = copy_string(gpu->name, name, length);
    }
    return finish(result);
}

API nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length)
{
    struct gpu_state *gpu;
    nvmlReturn_t result = begin_device("nvmlDeviceGetUUID", device, &gpu);
    if (result == NVML_SUCCESS) {
        result = copy_string(gpu->uuid, uuid, length);
    }
    return finish(result);
}

API nvmlReturn_t nvmlDeviceGetSerial(nvmlDevice_t device, char *serial, unsigned int length)
{
    struct gpu_state *gpu;
    nvmlReturn_t result = begin_device("nvmlDeviceGetSerial", device, &gpu);
    if (result == NVML_SUCCESS) {
        result = copy_string(gpu->serial, serial, length);
    }
    return finish(result);
}

API nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, nvmlPciInfo_t *pci)
{
    struct gpu_state *gpu;
    nvmlReturn_t result = begin_device("nvmlDeviceGetPciInfo_v3", device, &gpu);
    if (result == NVML_SUCCESS && pci == NULL) {
        result = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (result == NVML_SUCCESS) {
        fill_field(pci->busIdLegacy, sizeof(pci->busIdLegacy), gpu->bus_id_legacy);
        pci->domain = gpu->domain;
        pci->bus = gpu->bus;
        pci->device = gpu->device;
        pci->pciDeviceId = gpu->device_id;
        pci->pciSubSystemId = gpu->subsystem_id;
        fill_field(pci->busId, sizeof(pci->busId), gpu->bus_id);
    }
    return finish(result);
}

API nvmlReturn_t nvmlDeviceGetPciInfo(nvmlDevice_t device, fake_legacy_pci_info_t *pci)
{
    __atomic_add_fetch(&legacy_calls, 1, __ATOMIC_RELAXED);
    struct gpu_state *gpu;
    nvmlReturn_t result = begin_device("nvmlDeviceGetPciInfo", device, &gpu);
    if (result == NVML_SUCCESS && pci == NULL) {
        result = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (result == NVML_SUCCESS) {
        memset(pci, 0, sizeof(*pci));
        fill_field(pci->busId, sizeof(pci->busId), gpu->bus_id_legacy);
        pci->domain = gpu->domain;
        pci->bus = gpu->bus;
        pci->device = gpu->device;
        pci->pciDeviceId = gpu->device_id;
        pci->pciSubSystemId = gpu->subsystem_id;
    }
    return finish(result);
}

API nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory)
{
    struct gpu_state *gpu;
    nvmlReturn_t result = begin_device("nvmlDeviceGetMemoryInfo", device, &gpu);
    if (result == NVML_SUCCESS && memory == NULL) {
        result = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (result == NVML_SUCCESS) {
        memory->total = gpu->memory_total;
        memory->free = gpu->memory_free;
        memory->used = gpu->memory_used;
    }
    return finish(result);
}

API nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t *utilization)
{
    struct gpu_state *gpu;
    nvmlReturn_t result = begin_device("nvmlDeviceGetUtilizationRates", device, &gpu);
    if (result == NVML_SUCCESS && utilization == NULL) {
        result = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (result == NVML_SUCCESS) {
        utilization->gpu = gpu->utilization_gpu;
        utilization->memory = gpu->utilization_memory;
    }
    return finish(result);
}

static nvmlReturn_t unsigned_value(const char *function, nvmlDevice_t device, size_t offset, unsigned int *value)
{
    struct gpu_state *gpu;
    nvmlReturn_t result = begin_device(function, device, &gpu);
    if (result == NVML_SUCCESS && value == NULL) {
        result = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (result == NVML_SUCCESS) {
        *value = *(const unsigned int *) ((const char *) gpu + offset);
    }
    return finish(result);
}

API nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, int sensor, unsigned int *temperature)
{
    if (sensor != NVML_TEMPERATURE_GPU) {
        pthread_mutex_lock(&lock);
        __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
        return finish(NVML_ERROR_INVALID_ARGUMENT);
    }
    return unsigned_value("nvmlDeviceGetTemperature", device, offsetof(struct gpu_state, temperature), temperature);
}

API nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *power)
{
    return unsigned_value("nvmlDeviceGetPowerUsage", device, offsetof(struct gpu_state, power), power);
}

API nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t device, unsigned int *limit)
{
    return unsigned_value("nvmlDeviceGetEnforcedPowerLimit", device, offsetof(struct gpu_state, power_limit), limit);
}

API nvmlReturn_t nvmlDeviceGetFanSpeed(nvmlDevice_t device, unsigned int *speed)
{
    return unsigned_value("nvmlDeviceGetFanSpeed", device, offsetof(struct gpu_state, fan), speed);
}

#ifndef FAKE_NVML_OLD_DRIVER
API nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t device, unsigned long long *energy)
{
    struct gpu_state *gpu;
    nvmlReturn_t result = begin_device("nvmlDeviceGetTotalEnergyConsumption", device, &gpu);
    if (result == NVML_SUCCESS && energy == NULL) {
        result = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (result == NVML_SUCCESS) {
        *energy = gpu->energy;
    }
    return finish(result);
}
#endif

API nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t device, int type, unsigned int *clock)
{
    struct gpu_state *gpu;
    nvmlReturn_t result = begin_device("nvmlDeviceGetClockInfo", device, &gpu);
    if (result == NVML_SUCCESS && (clock == NULL || type < NVML_CLOCK_GRAPHICS || type > NVML_CLOCK_MEM)) {
        result = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (result == NVML_SUCCESS) {
        *clock = type == NVML_CLOCK_GRAPHICS ? gpu->clock_graphics : type == NVML_CLOCK_SM ? gpu->clock_sm : gpu->clock_memory;
    }
    return finish(result);
}

API nvmlReturn_t nvmlDeviceGetEccMode(nvmlDevice_t device, int *current_mode, int *pending_mode)
{
    struct gpu_state *gpu;
    nvmlReturn_t result = begin_device("nvmlDeviceGetEccMode", device, &gpu);
    if (result == NVML_SUCCESS && (current_mode == NULL || pending_mode == NULL)) {
        result = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (result == NVML_SUCCESS) {
        *current_mode = (int) gpu->ecc_current;
        *pending_mode = (int) gpu->ecc_pending;
    }
    return finish(result);
}

API nvmlReturn_t nvmlDeviceGetTotalEccErrors(nvmlDevice_t device, int error_type, int counter_type, unsigned long long *count)
{
    struct gpu_state *gpu;
    nvmlReturn_t result = begin_device("nvmlDeviceGetTotalEccErrors", device, &gpu);
    if (result == NVML_SUCCESS && (count == NULL || error_type < 0 || error_type > 1 || counter_type < 0 || counter_type > 1)) {
        result = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (result == NVML_SUCCESS && gpu->ecc_current == 0) {
        result = NVML_ERROR_NOT_SUPPORTED;
    }
    if (result == NVML_SUCCESS) {
        *count = error_type == NVML_MEMORY_ERROR_TYPE_CORRECTED ? gpu->ecc_corrected : gpu->ecc_uncorrected;
    }
    return finish(result);
}

/* The INSUFFICIENT_SIZE protocol: too small a count gets 7 and the count needed; nothing is written. */
static nvmlReturn_t list_processes(const char *function, nvmlDevice_t device, unsigned int *count, void *infos, size_t stride)
{
    struct gpu_state *gpu;
    nvmlReturn_t result = begin_device(function, device, &gpu);
    if (result == NVML_SUCCESS && count == NULL) {
        result = NVML_ERROR_INVALID_ARGUMENT;
    }
    if (result != NVML_SUCCESS) {
        return finish(result);
    }
    unsigned int total = gpu->process_count + gpu->process_extra;
    gpu->process_extra += gpu->process_grow;
    if (*count < total) {
        *count = total;
        return finish(NVML_ERROR_INSUFFICIENT_SIZE);
    }
    if (infos == NULL && total > 0) {
        return finish(NVML_ERROR_INVALID_ARGUMENT);
    }
    for (unsigned int process = 0; process < total; process++) {
        char *entry = (char *) infos + process * stride;
        unsigned int pid;
        unsigned long long memory;
        if (process < gpu->process_count) {
            pid = gpu->process_pids[process];
            memory = gpu->process_memory[process];
        }
        else {
            pid = 100000 + (process - gpu->process_count);
            memory = 1ULL << 20;
        }
        memset(entry, 0, stride);
        ((nvmlProcessInfo_v1_t *) entry)->pid = pid;
        ((nvmlProcessInfo_v1_t *) entry)->usedGpuMemory = memory;
        if (stride >= sizeof(nvmlProcessInfo_v2_t)) {
            ((nvmlProcessInfo_v2_t *) entry)->gpuInstanceId = 0xFFFFFFFFu;
            ((nvmlProcessInfo_v2_t *) entry)->computeInstanceId = 0xFFFFFFFFu;
        }
    }
    *count = total;
    return finish(NVML_SUCCESS);
}

API nvmlReturn_t nvmlDeviceGetComputeRunningProcesses(nvmlDevice_t device, unsigned int *count, nvmlProcessInfo_v1_t *infos)
{
    return list_processes("nvmlDeviceGetComputeRunningProcesses", device, count, infos, sizeof(nvmlProcessInfo_v1_t));
}

#ifndef FAKE_NVML_OLD_DRIVER
API nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v2(nvmlDevice_t device, unsigned int *count, nvmlProcessInfo_v2_t *infos)
{
    return list_processes("nvmlDeviceGetComputeRunningProcesses_v2", device, count, infos, sizeof(nvmlProcessInfo_v2_t));
}

#ifdef FAKE_NVML_R535
API nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device, unsigned int *count, fake_process_info_r535_t *infos)
{
    return list_processes("nvmlDeviceGetComputeRunningProcesses_v3", device, count, infos, sizeof(fake_process_info_r535_t));
}
#else
API nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device, unsigned int *count, nvmlProcessInfo_v2_t *infos)
{
    return list_processes("nvmlDeviceGetComputeRunningProcesses_v3", device, count, infos, sizeof(nvmlProcessInfo_v2_t));
}
#endif

/* Present from R535 on: only its presence matters (how the process entries are laid out). */
API nvmlReturn_t nvmlDeviceGetConfComputeMemSizeInfo(nvmlDevice_t device, void *info)
{
    (void) device;
    (void) info;
    return NVML_ERROR_NOT_SUPPORTED;
}

#ifndef FAKE_NVML_R535
/* Present from R550 on, when nvmlDeviceGetComputeRunningProcesses_v3 went back to 24-byte entries. */
API nvmlReturn_t nvmlDeviceGetRunningProcessDetailList(nvmlDevice_t device, void *list)
{
    (void) device;
    (void) list;
    return NVML_ERROR_NOT_SUPPORTED;
}
#endif
#endif

/* Not part of NVML: what the library has seen, for tests. */
API void fake_nvml_stats(unsigned int *all_calls, unsigned int *all_initializations, unsigned int *all_shutdowns, unsigned int *all_legacy_calls)
{
    pthread_mutex_lock(&lock);
    *all_calls = __atomic_load_n(&calls, __ATOMIC_RELAXED);
    *all_initializations = initializations;
    *all_shutdowns = shutdowns;
    *all_legacy_calls = __atomic_load_n(&legacy_calls, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&lock);
}
