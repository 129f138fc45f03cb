package io.pgguard.spring.boot4.shop;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A Spring Boot 4 application with Spring Data JPA over the migrated schema. */
@SpringBootApplication
public class ShopApp {
}
