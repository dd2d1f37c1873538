/* vk_instance.c — loads Vulkan through volk, creates the instance (with the validation layer and a debug
 * messenger when asked), and enumerates every physical device into the context's list.
 *
 * A missing loader, a loader without drivers, or no device is not an error: the context then lists only the
 * CPU backend and records why in ctx->vulkan_note. Asking for validation without the layer installed is an
 * error, because tests that ask for it must not pass silently without it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/status.h"
#include "gpu/vulkan/vk_internal.h"

const char *vk_result_name(VkResult result) {
    switch (result) {
#define VK_RESULT_CASE(r) \
    case r: return #r;
        VK_RESULT_CASE(VK_SUCCESS)
        VK_RESULT_CASE(VK_NOT_READY)
        VK_RESULT_CASE(VK_TIMEOUT)
        VK_RESULT_CASE(VK_INCOMPLETE)
        VK_RESULT_CASE(VK_ERROR_OUT_OF_HOST_MEMORY)
        VK_RESULT_CASE(VK_ERROR_OUT_OF_DEVICE_MEMORY)
        VK_RESULT_CASE(VK_ERROR_INITIALIZATION_FAILED)
        VK_RESULT_CASE(VK_ERROR_DEVICE_LOST)
        VK_RESULT_CASE(VK_ERROR_MEMORY_MAP_FAILED)
        VK_RESULT_CASE(VK_ERROR_LAYER_NOT_PRESENT)
        VK_RESULT_CASE(VK_ERROR_EXTENSION_NOT_PRESENT)
        VK_RESULT_CASE(VK_ERROR_FEATURE_NOT_PRESENT)
        VK_RESULT_CASE(VK_ERROR_INCOMPATIBLE_DRIVER)
        VK_RESULT_CASE(VK_ERROR_TOO_MANY_OBJECTS)
        VK_RESULT_CASE(VK_ERROR_FORMAT_NOT_SUPPORTED)
        VK_RESULT_CASE(VK_ERROR_FRAGMENTED_POOL)
        VK_RESULT_CASE(VK_ERROR_UNKNOWN)
        VK_RESULT_CASE(VK_ERROR_OUT_OF_POOL_MEMORY)
        VK_RESULT_CASE(VK_ERROR_INVALID_EXTERNAL_HANDLE)
        VK_RESULT_CASE(VK_ERROR_FRAGMENTATION)
        VK_RESULT_CASE(VK_PIPELINE_COMPILE_REQUIRED)
#undef VK_RESULT_CASE
    default: return "VkResult(unknown)";
    }
}

vkvlm_status vk_fail(vkvlm_error *err, const char *call, VkResult result) {
    vkvlm_status st = VKVLM_ERR_DEVICE;
    if (result == VK_ERROR_OUT_OF_DEVICE_MEMORY || result == VK_ERROR_OUT_OF_HOST_MEMORY ||
        result == VK_ERROR_OUT_OF_POOL_MEMORY || result == VK_ERROR_FRAGMENTATION)
        st = VKVLM_ERR_OUT_OF_MEMORY;
    return vkvlm_error_set(err, st, "%s failed: %s (%d)", call, vk_result_name(result), (int)result);
}

static VKAPI_ATTR VkBool32 VKAPI_CALL vk_debug_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                       VkDebugUtilsMessageTypeFlagsEXT types,
                                                       const VkDebugUtilsMessengerCallbackDataEXT *data,
                                                       void *user) {
    vk_state *vk = user;
    bool counted = (types & (VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                             VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT)) &&
                   severity >= VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT;
    if (counted) atomic_fetch_add(&vk->ctx->validation_messages, 1);
    vkvlm_log_level level = severity >= VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT     ? VKVLM_LOG_ERROR
                            : severity >= VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT ? VKVLM_LOG_WARN
                                                                                         : VKVLM_LOG_DEBUG;
    vkvlm_log(&vk->ctx->desc.logger, level, "vulkan validation: %s", data && data->pMessage ? data->pMessage : "");
    return VK_FALSE; /* never abort the call that triggered it */
}

static bool layer_available(const char *name) {
    uint32_t count = 0;
    if (vkEnumerateInstanceLayerProperties(&count, NULL) != VK_SUCCESS || count == 0) return false;
    VkLayerProperties *layers = calloc(count, sizeof *layers);
    if (!layers) return false;
    bool found = false;
    if (vkEnumerateInstanceLayerProperties(&count, layers) == VK_SUCCESS)
        for (uint32_t i = 0; i < count && !found; i++) found = strcmp(layers[i].layerName, name) == 0;
    free(layers);
    return found;
}

static bool instance_extension_available(const char *name) {
    uint32_t count = 0;
    if (vkEnumerateInstanceExtensionProperties(NULL, &count, NULL) != VK_SUCCESS || count == 0) return false;
    VkExtensionProperties *exts = calloc(count, sizeof *exts);
    if (!exts) return false;
    bool found = false;
    if (vkEnumerateInstanceExtensionProperties(NULL, &count, exts) == VK_SUCCESS)
        for (uint32_t i = 0; i < count && !found; i++) found = strcmp(exts[i].extensionName, name) == 0;
    free(exts);
    return found;
}

static const char *const validation_layer = "VK_LAYER_KHRONOS_validation";

vkvlm_status vk_context_init(gpu_context *ctx, vkvlm_error *err) {
    if (volkInitialize() != VK_SUCCESS) {
        snprintf(ctx->vulkan_note, sizeof ctx->vulkan_note,
                 "no Vulkan loader found (libvulkan.so.1); install libvulkan1 and a driver");
        return VKVLM_OK;
    }
    vk_state *vk = calloc(1, sizeof *vk);
    if (!vk) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "vulkan: out of host memory");
    vk->ctx = ctx;
    ctx->backend_state[GPU_BACKEND_VULKAN] = vk;

    vk->instance_api = VK_API_VERSION_1_0;
    if (vkEnumerateInstanceVersion) vkEnumerateInstanceVersion(&vk->instance_api);
    if (vk->instance_api < VK_API_VERSION_1_1) {
        snprintf(ctx->vulkan_note, sizeof ctx->vulkan_note, "the Vulkan loader offers only API 1.0; vkvlm needs 1.1");
        return VKVLM_OK;
    }

    const char *layers[1];
    uint32_t layer_count = 0;
    const char *extensions[4];
    uint32_t extension_count = 0;
    if (ctx->validation) {
        if (!layer_available(validation_layer))
            return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED,
                                   "validation was requested (VKVLM_VALIDATE=1) but %s is not installed "
                                   "(Debian: vulkan-validationlayers)",
                                   validation_layer);
        if (!instance_extension_available(VK_EXT_DEBUG_UTILS_EXTENSION_NAME))
            return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "validation needs %s, which the loader lacks",
                                   VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
        layers[layer_count++] = validation_layer;
        extensions[extension_count++] = VK_EXT_DEBUG_UTILS_EXTENSION_NAME;
    }
    VkInstanceCreateFlags flags = 0;
#ifdef VK_KHR_portability_enumeration
    /* MoltenVK and other non-conformant drivers are listed only when the instance opts in. */
    if (instance_extension_available(VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME)) {
        extensions[extension_count++] = VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME;
        flags |= VK_INSTANCE_CREATE_ENUMERATE_PORTABILITY_BIT_KHR;
    }
#endif
    VkApplicationInfo app = {
        .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
        .pApplicationName = "vkvlm",
        .pEngineName = "vkvlm",
        .apiVersion = vk->instance_api >= VK_API_VERSION_1_3 ? VK_API_VERSION_1_3 : vk->instance_api,
    };
    VkDebugUtilsMessengerCreateInfoEXT messenger_info = {
        .sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT,
        .messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT,
        .messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                       VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT,
        .pfnUserCallback = vk_debug_message,
        .pUserData = vk,
    };
    VkInstanceCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
        /* Chaining the messenger info also catches messages from vkCreateInstance/vkDestroyInstance. */
        .pNext = ctx->validation ? &messenger_info : NULL,
        .flags = flags,
        .pApplicationInfo = &app,
        .enabledLayerCount = layer_count,
        .ppEnabledLayerNames = layers,
        .enabledExtensionCount = extension_count,
        .ppEnabledExtensionNames = extensions,
    };
    VkResult r = vkCreateInstance(&info, NULL, &vk->instance);
    if (r == VK_ERROR_INCOMPATIBLE_DRIVER) {
        snprintf(ctx->vulkan_note, sizeof ctx->vulkan_note,
                 "the Vulkan loader found no driver (install one, e.g. mesa-vulkan-drivers)");
        return VKVLM_OK;
    }
    if (r != VK_SUCCESS) return vk_fail(err, "vkCreateInstance", r);
    volkLoadInstanceOnly(vk->instance);
    if (ctx->validation) {
        r = vkCreateDebugUtilsMessengerEXT(vk->instance, &messenger_info, NULL, &vk->messenger);
        if (r != VK_SUCCESS) return vk_fail(err, "vkCreateDebugUtilsMessengerEXT", r);
    }

    uint32_t count = 0;
    r = vkEnumeratePhysicalDevices(vk->instance, &count, NULL);
    if (r != VK_SUCCESS) return vk_fail(err, "vkEnumeratePhysicalDevices", r);
    if (count == 0) {
        snprintf(ctx->vulkan_note, sizeof ctx->vulkan_note, "the Vulkan loader found no device");
        return VKVLM_OK;
    }
    VkPhysicalDevice *all = calloc(count, sizeof *all);
    vk->physical = calloc(count, sizeof *vk->physical);
    if (!all || !vk->physical) {
        free(all);
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "vulkan: out of host memory");
    }
    r = vkEnumeratePhysicalDevices(vk->instance, &count, all);
    if (r != VK_SUCCESS && r != VK_INCOMPLETE) {
        free(all);
        return vk_fail(err, "vkEnumeratePhysicalDevices", r);
    }
    int skipped = 0;
    for (uint32_t i = 0; i < count; i++) {
        gpu_caps caps;
        vk_probe_caps(all[i], &caps);
        if (caps.api_version < VK_API_VERSION_1_1) {
            skipped++; /* compute needs 1.1: subgroups, 16-bit storage, maintenance1 */
            continue;
        }
        vkvlm_status st = gpu_context_add_device(ctx, &caps, err);
        if (st != VKVLM_OK) {
            free(all);
            return st;
        }
        vk->physical[vk->physical_count++] = all[i];
    }
    free(all);
    if (vk->physical_count == 0)
        snprintf(ctx->vulkan_note, sizeof ctx->vulkan_note, "%d Vulkan device%s found, none with API 1.1 or newer",
                 skipped, skipped == 1 ? "" : "s");
    return VKVLM_OK;
}

void vk_context_shutdown(gpu_context *ctx) {
    vk_state *vk = ctx->backend_state[GPU_BACKEND_VULKAN];
    if (!vk) return;
    if (vk->messenger) vkDestroyDebugUtilsMessengerEXT(vk->instance, vk->messenger, NULL);
    if (vk->instance) vkDestroyInstance(vk->instance, NULL);
    free(vk->physical);
    free(vk);
    ctx->backend_state[GPU_BACKEND_VULKAN] = NULL;
}

VkPhysicalDevice vk_physical_device(gpu_context *ctx, int backend_index) {
    vk_state *vk = ctx->backend_state[GPU_BACKEND_VULKAN];
    if (!vk || backend_index < 0 || (uint32_t)backend_index >= vk->physical_count) return VK_NULL_HANDLE;
    return vk->physical[backend_index];
}
